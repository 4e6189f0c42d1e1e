import Foundation

/// Why a physical backup cannot be taken or was not completed.
public enum PhysicalBackupError: Error, LocalizedError, Equatable {
    case archivingOff(policy: String)
    case walLevelMinimal
    case tablespaces([String])
    case missingFromStream(String)
    case malformedStream(String)
    case walNotArchived(missing: [String], seconds: Int)
    case archivingStalled(seconds: Int, lastFailed: String?)

    public var errorDescription: String? {
        switch self {
        case let .archivingOff(policy):
            return "archive_mode is off: a physical backup is useless without its WAL. Set archive_mode = on and "
                + "archive_command = 'lifeboat wal-push --policy \(policy) %p', restart PostgreSQL, and run `lifeboat check`"
        case .walLevelMinimal:
            return "wal_level is minimal: set wal_level = replica (and restart PostgreSQL) for physical backups"
        case let .tablespaces(names):
            return "the cluster has tablespaces outside the data directory (\(names.joined(separator: ", "))); physical backups "
                + "of clusters with tablespaces are not supported yet — use logical backups for this cluster"
        case let .missingFromStream(name):
            return "pg_basebackup's stream has no \(name); PostgreSQL 15 or later is needed for physical backups"
        case let .malformedStream(reason):
            return "pg_basebackup's stream is not as expected: \(reason)"
        case let .archivingStalled(seconds, lastFailed):
            return "the server waited more than \(seconds) s for the backup's WAL to be archived"
                + (lastFailed.map { " (archiving \($0) keeps failing)" } ?? "")
                + "; the backup was stopped and is not kept. Check archive_command and the server log (`lifeboat check`)"
        case let .walNotArchived(missing, seconds):
            let names = missing.count > 3 ? missing.prefix(3).joined(separator: ", ") + " and \(missing.count - 3) more" : missing.joined(separator: ", ")
            return "the WAL this backup needs (\(names)) did not reach the repository within \(seconds) s, so the backup "
                + "is not kept; check that archive_command runs `lifeboat wal-push` with this policy and that "
                + "pg_stat_archiver shows no failures (`lifeboat check`)"
        }
    }
}
