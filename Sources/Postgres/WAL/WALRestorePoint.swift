import Foundation

/// A named restore point: an `XLOG_RESTORE_POINT` record written by
/// `pg_create_restore_point(name)`, a target for `recovery_target_name`.
public struct WALRestorePoint: Sendable, Equatable {
    public var name: String
    /// Where the record starts.
    public var lsn: LSN
    /// Where it ends: the location `pg_create_restore_point` returned.
    public var endLSN: LSN
    /// `rp_time`, exact.
    public var timestamp: PostgresTimestamp

    /// `rp_time`: when the restore point was created.
    public var time: Date { timestamp.date }
}

extension WALRestorePoint {
    /// `MAXFNAMELEN`: the size of `rp_name`, NUL included.
    private static let nameSize = 64

    /// The restore point `record` describes, or nil when it is not one or its
    /// main data was not kept.
    init?(record: WALRecord) {
        guard record.resourceManager == WALResourceManager.xlog,
              record.info & WALResourceManager.xlogOpcodeMask == WALResourceManager.xlogRestorePoint,
              let data = record.mainData, data.count >= 8 + Self.nameSize,
              let time = data.withUnsafeBytes({ $0.littleEndian(Int64.self, at: 0) }) else { return nil }
        let name = data[8..<(8 + Self.nameSize)].prefix { $0 != 0 }
        self.init(
            name: String(decoding: name, as: UTF8.self), lsn: record.lsn, endLSN: record.endLSN,
            timestamp: PostgresTimestamp(microsecondsSince2000: time)
        )
    }
}
