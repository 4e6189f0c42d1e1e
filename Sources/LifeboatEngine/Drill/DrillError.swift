import Foundation

/// Why a drill could not bring up a connectable database.
public enum DrillError: Error, LocalizedError, Equatable {
    /// The socket path would pass PostgreSQL's 107-byte limit.
    case workspacePathTooLong(workspace: String)
    case workspaceNotDirectory(path: String)
    /// `pg_ctl start` failed or timed out.
    case serverDidNotStart(detail: String, log: String)
    /// The server stopped during recovery.
    case recoveryFailed(log: String)
    case recoveryTimedOut(seconds: Int, log: String)
    /// The policy asks for a backup type the repository has none of.
    case noBackup(cluster: String, type: String?)
    /// The drill was interrupted by a signal.
    case interrupted(signal: String)

    public var errorDescription: String? {
        switch self {
        case let .workspacePathTooLong(workspace):
            return "drill.workspace \(workspace) is too long for a PostgreSQL socket path; choose a shorter directory"
        case let .workspaceNotDirectory(path):
            return "drill.workspace: \(path) exists and is not a directory"
        case let .serverDidNotStart(detail, log):
            return "the scratch PostgreSQL did not start: \(detail)\nserver log:\n\(log)"
        case let .recoveryFailed(log):
            return "the scratch PostgreSQL stopped during recovery; server log:\n\(log)"
        case let .recoveryTimedOut(seconds, log):
            return "recovery did not finish within \(seconds) s; server log:\n\(log)"
        case let .noBackup(cluster, type):
            return "cluster \(cluster) has no \(type.map { "\($0) " } ?? "")backup to drill (see `lifeboat list`)"
        case let .interrupted(signal):
            return "the drill was interrupted by \(signal); the scratch cluster was removed"
        }
    }
}
