import Foundation

/// Why a WAL file could not be archived or fetched.
public enum WALArchiveError: Error, LocalizedError, Equatable {
    /// The name is not one PostgreSQL archives.
    case notAWALFile(path: String)
    /// The file's own header contradicts its name or size.
    case malformed(path: String, reason: String)
    /// The file comes from a different PostgreSQL cluster than the one this
    /// policy name has archived so far.
    case otherCluster(cluster: String, recorded: String, observed: String)
    case segmentSizeChanged(cluster: String, recorded: Int, observed: Int)
    /// The repository already holds this WAL file with different content.
    case conflictingContent(name: String, archivedSHA256: String, localSHA256: String)
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .notAWALFile(path):
            return "\(path) is not a WAL segment, .partial, .backup or .history file"
        case let .malformed(path, reason):
            return "\(path) is not a valid WAL file: \(reason)"
        case let .otherCluster(cluster, recorded, observed):
            return "this WAL comes from the PostgreSQL cluster with system identifier \(observed), but the repository's "
                + "cluster '\(cluster)' is \(recorded); give this cluster its own policy name"
        case let .segmentSizeChanged(cluster, recorded, observed):
            return "WAL segment size \(observed) differs from cluster '\(cluster)''s \(recorded) bytes"
        case let .conflictingContent(name, archived, local):
            return "WAL file \(name) is already archived with different content (archived SHA-256 \(archived.prefix(16))…, "
                + "this file \(local.prefix(16))…); nothing was overwritten. Two servers may be archiving into the same cluster name"
        case let .cannotRead(path, reason):
            return "cannot read \(path): \(reason)"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
