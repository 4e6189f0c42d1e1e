import Foundation
import Postgres

/// Read-ahead for `restore_command`. PostgreSQL asks for one WAL segment at a
/// time and replays it before asking for the next; fetching each only when
/// asked would leave replay waiting on decryption and decompression. So after
/// each request, a detached prefetcher (one at a time, by `flock` on the spool's
/// lock file) fetches the following `depth` segments, `parallelism` at once,
/// into a spool directory beside the destination; the next request then only
/// renames a file.
///
/// Spool layout (`pg_wal/.lifeboat-prefetch/` during recovery):
/// `<segment name>` complete prefetched segments, `.requested` the last segment
/// PostgreSQL asked for, `.lock` held by the running prefetcher. Segments older
/// than the last request are removed; the prefetcher empties the spool when it
/// has been idle for `idleTimeout` (recovery is over).
public struct WALPrefetch: Sendable {
    public let archive: WALArchive
    public let spool: String
    public let depth: Int
    public let parallelism: Int
    public let idleTimeout: TimeInterval
    /// Nothing past it is read ahead (drills).
    public let horizon: WALHorizon?

    public init(archive: WALArchive, spool: String, depth: Int = 8, parallelism: Int, idleTimeout: TimeInterval = 10, horizon: WALHorizon? = nil) {
        self.archive = archive
        self.spool = spool
        self.depth = depth
        self.parallelism = max(1, parallelism)
        self.idleTimeout = idleTimeout
        self.horizon = horizon
    }

    /// The spool for a `restore_command` destination such as `pg_wal/RECOVERYXLOG`.
    public static func spool(forDestination destination: String) -> String {
        ((destination as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".lifeboat-prefetch")
    }

    var requestedPath: String { spool + "/.requested" }
    var lockPath: String { spool + "/.lock" }

    /// Moves a prefetched `name` to `destination`; false when it was not prefetched.
    public func take(_ name: String, to destination: String) -> Bool {
        rename(spool + "/" + name, destination) == 0
    }

    /// Records the segment PostgreSQL asked for, so the prefetcher reads ahead of it.
    public func noteRequested(_ file: WALFileName) throws {
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = requestedPath + ".\(getpid()).tmp"
        try Data(file.description.utf8).write(to: URL(fileURLWithPath: temporary))
        try LocalFile.rename(temporary, to: requestedPath)
    }

    /// Whether a prefetcher is running (holds the lock).
    public var isRunning: Bool {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) != 0
    }

    /// Removes every prefetched segment.
    public func clear() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? [] where !name.hasPrefix(".") {
            unlink(spool + "/" + name)
        }
    }

    /// The prefetcher's loop: keeps the `depth` segments after the last request
    /// in the spool until the archive has no next segment or nobody has asked
    /// for one in `idleTimeout`. Returns at once if another prefetcher runs.
    public func run(segmentSize: UInt64) throws {
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { return }
        defer { close(lock) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { return }
        var lastWork = Date()
        while true {
            guard let text = try? String(contentsOfFile: requestedPath, encoding: .utf8),
                  let requested = WALFileName(text), requested.kind == .segment else { return }
            removeConsumed(upTo: requested)
            var window: [WALFileName] = []
            var next = requested
            for _ in 0..<depth {
                next = next.next(segmentSize: segmentSize)
                if let horizon, !horizon.admits(next) { break }
                window.append(next)
            }
            let missing = window.filter { access(spool + "/" + $0.description, F_OK) != 0 }
            if missing.isEmpty {
                if Date().timeIntervalSince(lastWork) > idleTimeout {
                    clear()
                    return
                }
                usleep(20_000)
                continue
            }
            lastWork = Date()
            let batch = Array(missing.prefix(parallelism))
            let found = Found(count: batch.count)
            DispatchQueue.concurrentPerform(iterations: batch.count) { index in
                let name = batch[index].description
                found.set(index, (try? archive.fetch(name, to: spool + "/" + name)) ?? false)
            }
            // The end of the archive (or a fault): the next request fetches directly.
            if !found.all { return }
        }
    }

    private func removeConsumed(upTo requested: WALFileName) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? [] where !name.hasPrefix(".") {
            if let file = WALFileName(name), file.kind == .segment, file < requested { unlink(spool + "/" + name) }
        }
    }
}

/// Results of a parallel batch.
private final class Found: @unchecked Sendable {
    private var values: [Bool]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: false, count: count) }
    func set(_ index: Int, _ value: Bool) { lock.withLock { values[index] = value } }
    var all: Bool { lock.withLock { values.allSatisfy { $0 } } }
}
