import Foundation

/// What lifeboat needs to know about a running server before backing it up or
/// judging whether it is set up for archiving.
public struct ServerFacts: Sendable, Equatable {
    /// `server_version_num` / 10000: 15 for 15.4.
    public var majorVersion: Int
    /// `server_version`, e.g. `15.4 (Debian 15.4-1)`.
    public var version: String
    /// The cluster's identity from `pg_control_system()`; a backup and its WAL
    /// must carry the same one.
    public var systemIdentifier: String
    /// `data_directory`, or nil when the role may not read it.
    public var dataDirectory: String?
    public var archiveMode: String
    public var archiveCommand: String
    /// `archive_timeout` in seconds; 0 means disabled.
    public var archiveTimeoutSeconds: Int
    public var walLevel: String
    public var inRecovery: Bool
    /// The current write position (the replay position on a standby).
    public var currentLSN: LSN
    /// The insert position (`pg_current_wal_insert_lsn()`: every commit a
    /// client was told of, asynchronous ones included); nil on a standby.
    public var insertLSN: LSN?
    /// `wal_segment_size` in bytes.
    public var walSegmentSize: UInt64
    public var timeline: Int
    public var archiver: ArchiverStatus
}

/// A snapshot of `pg_stat_archiver`.
public struct ArchiverStatus: Sendable, Equatable {
    public var archivedCount: Int
    public var lastArchivedWAL: String?
    public var lastArchivedTime: Date?
    public var failedCount: Int
    public var lastFailedWAL: String?
    public var lastFailedTime: Date?
}

extension PostgresConnection {
    /// Reads the server's facts in one round trip.
    public func serverFacts() throws -> ServerFacts {
        let sql = """
            SELECT current_setting('server_version_num')::int / 10000 AS major,
                   current_setting('server_version') AS version,
                   (SELECT system_identifier FROM pg_control_system())::text AS system_identifier,
                   (SELECT setting FROM pg_settings WHERE name = 'data_directory') AS data_directory,
                   current_setting('archive_mode') AS archive_mode,
                   current_setting('archive_command') AS archive_command,
                   (SELECT setting::int FROM pg_settings WHERE name = 'archive_timeout') AS archive_timeout,
                   current_setting('wal_level') AS wal_level,
                   pg_is_in_recovery() AS in_recovery,
                   (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn,
                   (CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_insert_lsn() END)::text AS insert_lsn,
                   (SELECT setting FROM pg_settings WHERE name = 'wal_segment_size') AS wal_segment_size,
                   (CASE WHEN pg_is_in_recovery() THEN (SELECT timeline_id FROM pg_control_checkpoint())
                         ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END) AS timeline,
                   a.archived_count, a.last_archived_wal,
                   extract(epoch FROM a.last_archived_time)::text AS last_archived_time,
                   a.failed_count, a.last_failed_wal,
                   extract(epoch FROM a.last_failed_time)::text AS last_failed_time
              FROM pg_stat_archiver a
            """
        let row = try query(sql).firstRow()
        func text(_ name: String) throws -> String {
            guard let value = row[name] ?? nil else { throw PostgresError.unexpectedResult("\(name) is NULL") }
            return value
        }
        func int(_ name: String) throws -> Int {
            guard let value = Int(try text(name)) else { throw PostgresError.unexpectedResult("\(name) is not a number") }
            return value
        }
        func date(_ name: String) -> Date? {
            (row[name] ?? nil).flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
        }
        guard let lsn = LSN(try text("lsn")) else { throw PostgresError.unexpectedResult("unreadable LSN \(try text("lsn"))") }
        return ServerFacts(
            majorVersion: try int("major"),
            version: try text("version"),
            systemIdentifier: try text("system_identifier"),
            dataDirectory: row["data_directory"] ?? nil,
            archiveMode: try text("archive_mode"),
            archiveCommand: try text("archive_command"),
            archiveTimeoutSeconds: try int("archive_timeout"),
            walLevel: try text("wal_level"),
            inRecovery: try text("in_recovery") == "t",
            currentLSN: lsn,
            insertLSN: (row["insert_lsn"] ?? nil).flatMap { LSN($0) },
            walSegmentSize: UInt64(try int("wal_segment_size")),
            timeline: try int("timeline"),
            archiver: ArchiverStatus(
                archivedCount: try int("archived_count"),
                lastArchivedWAL: row["last_archived_wal"] ?? nil,
                lastArchivedTime: date("last_archived_time"),
                failedCount: try int("failed_count"),
                lastFailedWAL: row["last_failed_wal"] ?? nil,
                lastFailedTime: date("last_failed_time")
            )
        )
    }
}
