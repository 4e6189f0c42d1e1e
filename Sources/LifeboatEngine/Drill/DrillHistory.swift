import Foundation
import Repository

/// The drill records of one cluster in the repository (`<cluster>/drills/<id>.json`, sealed).
public struct DrillHistory {
    public let repository: SealedRepository
    public let layout: ClusterLayout

    public init(repository: SealedRepository, cluster: String) {
        self.repository = repository
        layout = ClusterLayout(cluster: cluster)
    }

    /// Stores a drill's record; a record is never replaced.
    public func store(_ record: DrillRecord) throws {
        try repository.putSealed(layout.drill(record.id), bytes: try RepositoryJSON.encode(record), mode: .createOnly)
    }

    /// Every drill, oldest first. A record that fails authentication is an
    /// integrity error, not a silently missing drill.
    public func drills() throws -> [DrillRecord] {
        try repository.storage.list(prefix: layout.drillsPrefix).filter { $0.key.hasSuffix(".json") }.map { info in
            try RepositoryJSON.decode(DrillRecord.self, from: try repository.getSealed(info.key, limit: 16 << 20))
        }.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }
}
