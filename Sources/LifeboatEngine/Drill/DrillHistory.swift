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

    var records: SealedRecords<DrillRecord> { SealedRecords(repository: repository, prefix: layout.drillsPrefix) }

    /// Stores a drill's record (`<cluster>/drills/<id>.json`); a record is never replaced.
    public func store(_ record: DrillRecord) throws {
        try records.store(record, name: record.id)
    }

    /// Every drill, oldest first.
    public func drills() throws -> [DrillRecord] {
        try records.all().sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }
}
