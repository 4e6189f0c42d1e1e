import Foundation
import LifeboatEngine

/// A backup as `list --json` and `backup --json` print it (the design's stable keys).
struct BackupReport: Encodable {
    let id: String
    let type: String
    let startedAt: Date
    let finishedAt: Date
    let sizeBytes: Int64
    let storedBytes: Int64
    let timeline: Int
    let startLSN: String
    let stopLSN: String
    let databases: [String]
    /// Physical backups: `data_directory` (read directly) or `pg_basebackup`.
    let source: String?

    enum CodingKeys: String, CodingKey {
        case id, type, timeline, databases, source
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case sizeBytes = "size_bytes"
        case storedBytes = "stored_bytes"
        case startLSN = "start_lsn"
        case stopLSN = "stop_lsn"
    }

    init(_ manifest: BackupManifest) {
        id = manifest.id
        type = manifest.type.rawValue
        startedAt = manifest.startedAt
        finishedAt = manifest.finishedAt
        sizeBytes = manifest.sizeBytes
        storedBytes = manifest.storedBytes
        timeline = manifest.timeline
        startLSN = manifest.startLSN.description
        stopLSN = manifest.stopLSN.description
        databases = manifest.databases
        source = manifest.physical?.source?.rawValue
    }
}
