import Foundation

/// Why a physical restore was refused or failed.
public enum PhysicalRestoreError: Error, LocalizedError, Equatable {
    case notPhysical(backup: String)
    case noPhysicalBackup(cluster: String)
    case directoryNotEmpty(path: String)
    case serverRunning(path: String, pid: Int32)
    case unknownOSUser(String)
    case partMismatch(object: String)
    /// The target cannot be reached with what the repository holds.
    case outsideWindow(target: String, reason: String, window: String)
    case unknownRestorePoint(name: String, searched: String)
    case ambiguousRestorePoint(name: String, first: String, intended: String)
    case backupAfterTarget(backup: String, target: String, consistent: String)
    case missingWAL(segments: [String], backup: String)

    public var errorDescription: String? {
        switch self {
        case let .notPhysical(backup):
            return "backup \(backup) is a logical backup; restore it with --database"
        case let .noPhysicalBackup(cluster):
            return "cluster \(cluster) has no physical backup yet (lifeboat backup --type physical)"
        case let .directoryNotEmpty(path):
            return "\(path) is not empty; restore into an empty directory, or pass --delta to make it identical to the backup "
                + "(files that match are kept, the rest rewritten, files not in the backup removed)"
        case let .serverRunning(path, pid):
            return "a PostgreSQL server (pid \(pid)) is running on \(path); stop it before restoring over it"
        case let .unknownOSUser(user):
            return "there is no OS user \(user) to own the restored data directory (set postgres.os_user in the policy)"
        case let .partMismatch(object):
            return "\(object) does not match its manifest (size or SHA-256); the data directory is incomplete and "
                + "will not start (global/pg_control was not written)"
        case let .outsideWindow(target, reason, window):
            return "cannot recover to \(target): \(reason). Recoverable window: \(window)"
        case let .unknownRestorePoint(name, searched):
            return "no restore point named '\(name)' in the archived WAL (\(searched))"
        case let .ambiguousRestorePoint(name, first, intended):
            return "restore point '\(name)' occurs more than once after the backup: recovery would stop at the first (\(first)), "
                + "not at the newest (\(intended)); recover with --target-lsn or --target-time instead"
        case let .backupAfterTarget(backup, target, consistent):
            return "backup \(backup) becomes consistent at \(consistent), after the target \(target); "
                + "choose an older backup or leave out --backup"
        case let .missingWAL(segments, backup):
            let names = segments.count > 3 ? segments.prefix(3).joined(separator: ", ") + " and \(segments.count - 3) more" : segments.joined(separator: ", ")
            return "WAL needed to recover backup \(backup) is missing from the repository: \(names)"
        }
    }
}
