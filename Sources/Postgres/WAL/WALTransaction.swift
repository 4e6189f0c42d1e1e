import Foundation

/// The end of a transaction as WAL records it: a commit or an abort record of
/// the transaction resource manager, with the time the server stamped on it.
/// These are the records `recovery_target_time` and `recovery_target_xid`
/// are judged by.
public struct WALTransaction: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `XLOG_XACT_COMMIT`.
        case commit
        /// `XLOG_XACT_ABORT`.
        case abort
        /// `XLOG_XACT_COMMIT_PREPARED`: `COMMIT PREPARED` of a two-phase transaction.
        case commitPrepared
        /// `XLOG_XACT_ABORT_PREPARED`: `ROLLBACK PREPARED`.
        case abortPrepared
    }

    public var kind: Kind
    /// Where the commit or abort record starts.
    public var lsn: LSN
    /// Where it ends.
    public var endLSN: LSN
    /// The transaction: the record's `xl_xid`, or for a prepared transaction
    /// the xid it was prepared under (as pg_waldump shows).
    public var xid: UInt32
    /// `xact_time`, exact.
    public var timestamp: PostgresTimestamp

    /// `xact_time`.
    public var time: Date { timestamp.date }
    /// Whether the transaction committed (rather than aborted).
    public var committed: Bool { kind == .commit || kind == .commitPrepared }
}

extension WALTransaction {
    /// `XLOG_XACT_OPMASK` and the opcodes of the kinds above.
    private static let opcodeMask: UInt8 = 0x70
    private static let kinds: [UInt8: Kind] = [0x00: .commit, 0x20: .abort, 0x30: .commitPrepared, 0x40: .abortPrepared]

    /// The transaction end `record` describes, or nil when it is not a commit
    /// or abort record or its main data was not kept.
    init?(record: WALRecord, magic: WALPageMagic) {
        guard record.resourceManager == WALResourceManager.transaction,
              let kind = Self.kinds[record.info & Self.opcodeMask],
              let data = record.mainData,
              let time = data.withUnsafeBytes({ $0.littleEndian(Int64.self, at: 0) }) else { return nil }
        var xid = record.xid
        if kind == .commitPrepared || kind == .abortPrepared,
           let prepared = Self.preparedXID(in: data, info: record.info, isCommit: kind == .commitPrepared, magic: magic) {
            xid = prepared
        }
        self.init(kind: kind, lsn: record.lsn, endLSN: record.endLSN, xid: xid, timestamp: PostgresTimestamp(microsecondsSince2000: time))
    }

    /// The `xl_xact_twophase` xid of a commit or abort record, found by
    /// stepping over the optional parts before it (`ParseCommitRecord` and
    /// `ParseAbortRecord` in xactdesc.c); nil when it is absent or beyond `data`.
    private static func preparedXID(in data: [UInt8], info: UInt8, isCommit: Bool, magic: WALPageMagic) -> UInt32? {
        data.withUnsafeBytes { bytes -> UInt32? in
            var cursor = LittleEndianCursor(bytes, offset: 8)  // after xact_time
            var xinfo: UInt32 = 0
            if info & 0x80 != 0 {  // XLOG_XACT_HAS_INFO
                guard let value = cursor.read(UInt32.self) else { return nil }
                xinfo = value
            }
            /// Steps over a counted array when `flag` says it is there.
            func skipArray(flag: UInt32, itemSize: Int) -> Bool {
                guard xinfo & flag != 0 else { return true }
                guard let count = cursor.read(Int32.self), count >= 0 else { return false }
                cursor.skip(Int(count) * itemSize)
                return true
            }
            if xinfo & 0x01 != 0 { cursor.skip(8) }  // HAS_DBINFO: dbId, tsId
            guard skipArray(flag: 0x02, itemSize: 4),  // HAS_SUBXACTS
                  skipArray(flag: 0x04, itemSize: 12),  // HAS_RELFILENODES
                  skipArray(flag: 0x100, itemSize: magic.droppedStatsItemSize),  // HAS_DROPPED_STATS (15+)
                  !isCommit || skipArray(flag: 0x08, itemSize: 16),  // HAS_INVALS, commits only
                  xinfo & 0x10 != 0  // HAS_TWOPHASE
            else { return nil }
            return cursor.read(UInt32.self)
        }
    }
}
