import Foundation
import Repository

/// One backup run, successful or not, stored sealed as
/// `<cluster>/runs/<started>-<command>-<random>.json` so that reports can show
/// backups that failed, not only those that exist. JSON keys:
///
/// ```json
/// {"command": "backup", "type": "physical", "started_at": "…", "finished_at": "…",
///  "outcome": "failed", "backup_id": null, "size_bytes": null, "stored_bytes": null,
///  "error": "pg_basebackup exited with status 1: …", "exit_code": 1, "user": "postgres", "host": "db1"}
/// ```
public struct RunRecord: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable { case succeeded, failed }

    public var command: String
    public var type: String?
    public var startedAt: Date
    public var finishedAt: Date
    public var outcome: Outcome
    public var backupID: String?
    public var sizeBytes: Int64?
    public var storedBytes: Int64?
    public var error: String?
    public var exitCode: Int32
    public var user: String
    public var host: String

    public init(command: String, type: String?, startedAt: Date, finishedAt: Date, outcome: Outcome, backupID: String?,
                sizeBytes: Int64?, storedBytes: Int64?, error: String?, exitCode: Int32) {
        self.command = command
        self.type = type
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.backupID = backupID
        self.sizeBytes = sizeBytes
        self.storedBytes = storedBytes
        self.error = error
        self.exitCode = exitCode
        user = RepositoryLock.currentUserName()
        host = ProcessInfo.processInfo.hostName
    }

    enum CodingKeys: String, CodingKey {
        case command, type, outcome, error, user, host
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case backupID = "backup_id"
        case sizeBytes = "size_bytes"
        case storedBytes = "stored_bytes"
        case exitCode = "exit_code"
    }
}

/// The run records of one cluster.
public struct RunHistory {
    public let repository: SealedRepository
    public let layout: ClusterLayout

    public init(repository: SealedRepository, cluster: String) {
        self.repository = repository
        layout = ClusterLayout(cluster: cluster)
    }

    var records: SealedRecords<RunRecord> { SealedRecords(repository: repository, prefix: layout.runsPrefix) }

    /// Stores a run's record under a new name.
    public func store(_ record: RunRecord) throws {
        try records.store(record, name: BackupID.make(at: record.startedAt) + "-\(record.command)")
    }

    /// Every run record, oldest first.
    public func runs() throws -> [RunRecord] {
        try records.all().sorted { $0.startedAt < $1.startedAt }
    }
}
