import Foundation
import Postgres
import Repository

/// `<cluster>/cluster.json` (sealed): which PostgreSQL cluster a policy name
/// belongs to. Written by the first physical backup or WAL push, checked by
/// every later one, so WAL and base backups of two different clusters can never
/// mix under one name.
///
/// ```json
/// {"system_identifier": "7441234567890123456", "wal_segment_size": 16777216, "created_at": "…"}
/// ```
public struct ClusterIdentity: Codable, Sendable, Equatable {
    public var systemIdentifier: String
    public var walSegmentSize: Int
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case systemIdentifier = "system_identifier"
        case walSegmentSize = "wal_segment_size"
        case createdAt = "created_at"
    }

    /// The recorded identity, or nil before the first physical backup or WAL push.
    public static func read(from repository: SealedRepository, layout: ClusterLayout) throws -> ClusterIdentity? {
        do {
            return try RepositoryJSON.decode(ClusterIdentity.self, from: try repository.getSealed(layout.identity, limit: 64 * 1024))
        } catch StorageError.notFound {
            return nil
        }
    }

    /// Checks `observed` against the recorded identity, recording it first when there is none.
    public static func confirm(_ observed: ClusterIdentity, in repository: SealedRepository, layout: ClusterLayout) throws {
        var recorded = try read(from: repository, layout: layout)
        if recorded == nil {
            do {
                try repository.putSealed(layout.identity, bytes: try RepositoryJSON.encode(observed), mode: .createOnly)
                return
            } catch StorageError.alreadyExists {
                recorded = try read(from: repository, layout: layout)
            }
        }
        guard let recorded else { return }
        guard recorded.systemIdentifier == observed.systemIdentifier else {
            throw WALArchiveError.otherCluster(cluster: layout.cluster, recorded: recorded.systemIdentifier, observed: observed.systemIdentifier)
        }
        guard recorded.walSegmentSize == observed.walSegmentSize else {
            throw WALArchiveError.segmentSizeChanged(cluster: layout.cluster, recorded: recorded.walSegmentSize, observed: observed.walSegmentSize)
        }
    }
}
