import Foundation
import Postgres

/// Watches a running base backup from a second connection. At its end the
/// server waits, without limit, until the backup's last WAL segment is
/// archived; when archiving is broken that wait never ends. If the backup's
/// WAL sender has waited for the archive (`BackupWaitWalArchive`) longer than
/// `timeout`, the watchdog stops the backup through `onTimeout` and remembers
/// what the archiver last failed on, for the error message.
final class ArchiveWaitWatchdog: @unchecked Sendable {
    private let parameters: ConnectionParameters
    private let label: String
    private let timeout: TimeInterval
    private let onTimeout: @Sendable () -> Void
    private let lock = NSLock()
    private var stopped = false
    private var firedWith: String??
    private let done = DispatchSemaphore(value: 0)

    init(parameters: ConnectionParameters, label: String, timeout: TimeInterval, onTimeout: @escaping @Sendable () -> Void) {
        self.parameters = parameters
        self.label = label
        self.timeout = timeout
        self.onTimeout = onTimeout
    }

    /// Nil while it has not fired; then the WAL file the archiver last failed on (nil if none).
    var fired: String?? { lock.withLock { firedWith } }

    func start() {
        let thread = Thread { [self] in
            defer { done.signal() }
            guard let connection = try? PostgresConnection(parameters) else { return }
            var waitingSince: Date?
            while !lock.withLock({ stopped }) {
                let event = try? connection.query("SELECT wait_event FROM pg_stat_activity WHERE backend_type = 'walsender' AND query LIKE $1",
                                                   ["%" + label + "%"]).scalar()
                if event == "BackupWaitWalArchive" {
                    let since = waitingSince ?? Date()
                    waitingSince = since
                    if Date().timeIntervalSince(since) > timeout {
                        let failed = try? connection.query("SELECT last_failed_wal FROM pg_stat_archiver").scalar()
                        lock.withLock { firedWith = .some(failed ?? nil) }
                        onTimeout()
                        return
                    }
                } else {
                    waitingSince = nil
                }
                usleep(500_000)
            }
        }
        thread.start()
    }

    func stop() {
        lock.withLock { stopped = true }
        done.wait()
    }
}
