import Foundation

/// Who holds a lock: stored, sealed, as the lock object.
public struct LockHolder: Codable, Sendable, Equatable {
    public var host: String
    public var pid: Int32
    public var user: String
    public var command: String
    public var startedAt: Date
    /// Random, to tell our own lock from one that replaced it.
    public var token: String

    enum CodingKeys: String, CodingKey {
        case host, pid, user, command, token
        case startedAt = "started_at"
    }

    public init(host: String, pid: Int32, user: String, command: String, startedAt: Date, token: String) {
        self.host = host
        self.pid = pid
        self.user = user
        self.command = command
        self.startedAt = startedAt
        self.token = token
    }

    public var summary: String {
        "\(command) (pid \(pid), user \(user), on \(host), since \(RFC3339.wholeSeconds(startedAt)))"
    }
}

/// A run lock: at most one holder per name (`lms/lock` for a cluster's backup,
/// prune and drill runs; `keys/lock` for key changes).
///
/// Two layers. A `flock` on a local file keeps overlapping runs on the same
/// host (cron starting a backup while the last one still runs) from even
/// starting. The lock object in the repository, created only if absent, keeps
/// runs on different hosts apart and records who holds it. A lock object left
/// by a process that no longer exists on this host is taken over with a
/// warning; a live holder, or one on another host, is an error (exit 4).
public final class RepositoryLock {
    public let name: String
    public let holder: LockHolder
    private let repository: SealedRepository
    private let localFile: Int32
    private var released = false

    public enum Error: Swift.Error, LocalizedError, Equatable {
        case held(name: String, by: LockHolder?)
        /// The lock object exists but cannot be read (altered, truncated, another key).
        case damaged(name: String, reason: String)

        public var errorDescription: String? {
            switch self {
            case let .damaged(name, reason):
                return "the lock \(name) exists but cannot be read (\(reason)); if no lifeboat run is active on any host, "
                    + "delete the lock object \(name) from the repository"
            case let .held(name, holder):
                let who = holder.map { "by \($0.summary)" } ?? "by another lifeboat run on this host"
                var text = "the lock \(name) is held \(who)"
                if let holder, holder.host != ProcessInfo.processInfo.hostName {
                    text += "; if that run is gone for good, delete the lock object \(name) from the repository"
                }
                return text
            }
        }
    }

    /// Takes the lock or throws `RepositoryLock.Error.held`. `warn` receives the
    /// message when a dead holder's lock is taken over.
    public static func acquire(_ name: String, in repository: SealedRepository, command: String,
                               now: Date = Date(), warn: (String) -> Void) throws -> RepositoryLock {
        let localFile = try localLock(name: name, repositoryID: repository.header.id)
        if localFile == -2 {
            throw Error.held(name: name, by: try? currentHolder(name, in: repository))
        }
        let holder = LockHolder(
            host: ProcessInfo.processInfo.hostName, pid: getpid(), user: currentUserName(),
            command: command, startedAt: now, token: UUID().uuidString
        )
        let bytes = try RepositoryJSON.encode(holder)
        do {
            for attempt in 0..<2 {
                do {
                    try repository.putSealed(name, bytes: bytes, mode: .createOnly)
                    return RepositoryLock(name: name, holder: holder, repository: repository, localFile: localFile)
                } catch StorageError.alreadyExists(_) where attempt == 0 {
                    let existing: LockHolder
                    do {
                        existing = try currentHolder(name, in: repository)
                    } catch StorageError.notFound {
                        continue // released meanwhile: try again
                    } catch {
                        throw Error.damaged(name: name, reason: error.localizedDescription)
                    }
                    guard existing.host == holder.host, !isAlive(existing.pid) else {
                        throw Error.held(name: name, by: existing)
                    }
                    warn("taking over the lock \(name) left by \(existing.summary), which is no longer running")
                    try repository.storage.delete(name)
                }
            }
            throw Error.held(name: name, by: try? currentHolder(name, in: repository))
        } catch {
            if localFile >= 0 { close(localFile) }
            throw error
        }
    }

    private init(name: String, holder: LockHolder, repository: SealedRepository, localFile: Int32) {
        self.name = name
        self.holder = holder
        self.repository = repository
        self.localFile = localFile
    }

    deinit { release() }

    /// Removes the lock object (if it is still ours) and drops the local lock.
    public func release() {
        guard !released else { return }
        released = true
        if let current = try? Self.currentHolder(name, in: repository), current.token == holder.token {
            try? repository.storage.delete(name)
        }
        if localFile >= 0 { close(localFile) }
    }

    static func currentHolder(_ name: String, in repository: SealedRepository) throws -> LockHolder {
        try RepositoryJSON.decode(LockHolder.self, from: try repository.getSealed(name, limit: 64 * 1024))
    }

    /// An flock'ed file descriptor; -1 when no local lock file can be used (the
    /// repository lock alone then protects); -2 when another process holds it.
    static func localLock(name: String, repositoryID: String) throws -> Int32 {
        let safeName = name.replacingOccurrences(of: "/", with: "_")
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("lifeboat-\(repositoryID)-\(safeName).lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return -1 }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let held = errno == EWOULDBLOCK
            close(fd)
            return held ? -2 : -1
        }
        return fd
    }

    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    public static func currentUserName() -> String {
        guard let entry = getpwuid(geteuid()) else { return String(geteuid()) }
        return String(cString: entry.pointee.pw_name)
    }
}
