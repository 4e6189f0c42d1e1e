import Archive
import Foundation
import Pipeline
import Postgres
import Repository

/// A backup's manifest, `<cluster>/backups/<id>/manifest.json`, sealed. It is
/// written last and only after every object it lists is stored: a backup
/// without a manifest does not exist. Plaintext is JSON with these keys:
///
/// ```json
/// {"format": 1, "id": "20261122T020000Z-3fa2", "cluster": "lms", "type": "logical",
///  "started_at": "…", "finished_at": "…",
///  "server_version": "15.4 (Debian 15.4-1)", "server_major": 15,
///  "system_identifier": "7312…", "timeline": 1, "start_lsn": "0/3000028", "stop_lsn": "0/3000110",
///  "databases": ["lms"], "compression": {"algorithm": "zstd", "level": 3},
///  "key_generation": 1, "lifeboat_version": "0.1.0",
///  "objects": [{"name": "globals.sql", "kind": "globals", "format": "sql",
///               "plain_bytes": 1234, "sha256": "…", "stored_bytes": 789},
///              {"name": "db-0001.dump", "kind": "database", "database": "lms", "format": "custom", …}]}
/// ```
///
/// A physical backup adds `"physical": {"wal_segment_size", "start_segment",
/// "stop_segment", "checkpoint_lsn", "wal_ranges": [{"timeline", "start_lsn",
/// "end_lsn"}], "consistent_at", "files", "source"}` and its objects are
/// `data-NNNN` parts, `files.json` (`PhysicalLayout`) and `backup_manifest`.
///
/// Each object's `sha256` and `plain_bytes` are those of the plaintext as the
/// PostgreSQL program produced it (before compression); `stored_bytes` is the
/// sealed object's size in the repository. The `data` parts of a physical
/// backup have an empty `sha256`: each of their chunks is authenticated by
/// AES-GCM, and every file in them has its own SHA-256 in `files.json`.
/// Older backups carry a digest of each part as well, which is still checked.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let formatVersion = 1

    public enum BackupType: String, Codable, Sendable, CaseIterable {
        case logical, physical
    }

    public struct CompressionInfo: Codable, Sendable, Equatable {
        public var algorithm: String
        public var level: Int
    }

    public struct StoredObject: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
            /// Logical backups: `pg_dumpall --globals-only` and one database's dump.
            case globals, database
            /// Physical backups: a compressed part of the data stream, the file
            /// layout (`PhysicalLayout`), and PostgreSQL's own `backup_manifest`.
            case data, layout
            case postgresManifest = "postgres_manifest"
        }
        public var name: String
        public var kind: Kind
        public var database: String?
        /// `sql` (pg_dumpall output), `custom` (pg_dump -Fc), `directory`
        /// (pg_dump -Fd as a tar), `blocks` (a physical data part), `json`.
        public var format: String
        public var plainBytes: Int64
        public var sha256: String
        public var storedBytes: Int64

        enum CodingKeys: String, CodingKey {
            case name, kind, database, format, sha256
            case plainBytes = "plain_bytes"
            case storedBytes = "stored_bytes"
        }

        /// Whether what was read back is what the manifest lists: the same size and SHA-256.
        public func matches(_ summary: StreamPacking.Summary) -> Bool {
            summary.sha256 == sha256 && summary.plaintextBytes == plainBytes
        }
    }

    public var format: Int
    public var id: String
    public var cluster: String
    public var type: BackupType
    public var startedAt: Date
    public var finishedAt: Date
    public var serverVersion: String
    public var serverMajor: Int
    public var systemIdentifier: String
    public var timeline: Int
    public var startLSN: LSN
    public var stopLSN: LSN
    public var databases: [String]
    public var compression: CompressionInfo
    public var keyGeneration: UInt32
    public var lifeboatVersion: String
    public var objects: [StoredObject]
    /// Physical backups only: what point-in-time recovery needs to know.
    public var physical: PhysicalInfo?

    /// The recovery facts of a physical backup.
    public struct PhysicalInfo: Codable, Sendable, Equatable {
        /// One timeline's stretch of WAL needed to make the backup consistent.
        public struct WALRange: Codable, Sendable, Equatable {
            public var timeline: UInt32
            public var startLSN: LSN
            public var endLSN: LSN
            enum CodingKeys: String, CodingKey {
                case timeline
                case startLSN = "start_lsn"
                case endLSN = "end_lsn"
            }
        }

        public var walSegmentSize: Int
        /// First and last WAL segment the backup needs (`start_segment` on the
        /// start timeline, `stop_segment` on the last range's timeline).
        public var startSegment: String
        public var stopSegment: String
        public var checkpointLSN: LSN
        public var walRanges: [WALRange]
        /// No earlier than the moment (by the server's clock) replay reaches
        /// `stop_lsn`: a time target must not be earlier than this.
        public var consistentAt: Date
        public var files: Int
        /// How the files were read; absent from backups made before lifeboat recorded it.
        public var source: Source?

        /// `data_directory`: read straight from the server's data directory on
        /// this host (`DataDirectoryCopy`); `pg_basebackup`: streamed by it.
        public enum Source: String, Codable, Sendable {
            case dataDirectory = "data_directory"
            case pgBaseBackup = "pg_basebackup"
        }

        enum CodingKeys: String, CodingKey {
            case files, source
            case walSegmentSize = "wal_segment_size"
            case startSegment = "start_segment"
            case stopSegment = "stop_segment"
            case checkpointLSN = "checkpoint_lsn"
            case walRanges = "wal_ranges"
            case consistentAt = "consistent_at"
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, id, cluster, type, timeline, databases, compression, objects, physical
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case serverVersion = "server_version"
        case serverMajor = "server_major"
        case systemIdentifier = "system_identifier"
        case startLSN = "start_lsn"
        case stopLSN = "stop_lsn"
        case keyGeneration = "key_generation"
        case lifeboatVersion = "lifeboat_version"
    }

    /// Plaintext bytes of all objects.
    public var sizeBytes: Int64 { objects.reduce(0) { $0 + $1.plainBytes } }
    /// Bytes in the repository, manifest excluded.
    public var storedBytes: Int64 { objects.reduce(0) { $0 + $1.storedBytes } }
    public var duration: TimeInterval { finishedAt.timeIntervalSince(startedAt) }
}

/// Backup identifiers: the UTC start time and four random hex digits,
/// `20261122T020000Z-3fa2`, so that they sort by time and never collide.
public enum BackupID {
    public static func make(at date: Date) -> String {
        UTCComponents(date).compact + "Z-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
    }
}
