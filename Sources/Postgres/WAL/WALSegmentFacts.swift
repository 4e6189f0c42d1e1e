import Foundation

/// What one WAL segment says about the cluster and the transactions in it,
/// from one scan: enough to judge which segments a recovery to a time, an xid,
/// an LSN or a restore point needs, and where it would stop.
public struct WALSegmentFacts: Sendable, Equatable {
    /// The cluster's system identifier; a base backup and its WAL must share it.
    public var systemIdentifier: UInt64
    public var timeline: UInt32
    public var segmentSize: UInt32
    /// The segment's first WAL location.
    public var startLSN: LSN
    /// Where the first record beginning in the segment starts.
    public var firstRecordLSN: LSN?
    /// Where the last complete record that began in the segment ends; nil when
    /// none began in it.
    public var endOfRecords: LSN?
    /// Where the last complete record that begins in this segment starts.
    public var lastRecordLSN: LSN?
    /// How many complete records begin in the segment.
    public var recordCount: Int
    /// Commits and aborts, in WAL order.
    public var transactions: [WALTransaction]
    /// Restore points, in WAL order.
    public var restorePoints: [WALRestorePoint]
    /// Whether the segment ends with an `XLOG_SWITCH` (`pg_switch_wal()`,
    /// `archive_timeout`): its records stop early and the rest is unused.
    public var hasSwitch: Bool
    /// Why the scan stopped.
    public var stop: WALScanStop

    /// Sums up `scan`. Transaction times and restore points need only the
    /// first 72 bytes of main data; the xid of a prepared transaction lies
    /// further in, so when the scan kept too little of it the record's own
    /// `xl_xid` is reported instead. `init(segment:)` keeps everything.
    public init(scan: WALSegmentScan) {
        let magic = WALPageMagic(scan.header.magic)
        systemIdentifier = scan.header.systemIdentifier
        timeline = scan.header.timeline
        segmentSize = scan.header.segmentSize
        startLSN = scan.segmentStart
        firstRecordLSN = scan.records.first?.lsn
        endOfRecords = scan.records.last?.endLSN
        lastRecordLSN = scan.records.last?.lsn
        recordCount = scan.records.count
        transactions = scan.records.compactMap { WALTransaction(record: $0, magic: magic) }
        restorePoints = scan.records.compactMap(WALRestorePoint.init(record:))
        hasSwitch = scan.records.last?.isSwitch ?? false
        stop = scan.stop
    }

    /// Scans `segment` (see `WALSegmentScan`) and sums it up.
    public init(segment: UnsafeRawBufferPointer) throws(WALFormatError) {
        self.init(scan: try WALSegmentScan(segment: segment, mainDataLimit: .max))
    }

    /// Scans `segment` (see `WALSegmentScan`) and sums it up.
    public init(segment: [UInt8]) throws(WALFormatError) {
        self.init(scan: try WALSegmentScan(segment: segment, mainDataLimit: .max))
    }
}

extension WALSegmentFacts {
    /// The first location after the segment.
    public var endLSN: LSN { LSN(startLSN.value + UInt64(segmentSize)) }

    /// Where a record that does not end within the segment starts: it goes on
    /// in the next segment, which recovery past this point also needs.
    public var incompleteRecordLSN: LSN? {
        if case let .incompleteRecord(lsn) = stop { return lsn }
        return nil
    }

    public var firstTransaction: WALTransaction? { transactions.first }
    public var lastTransaction: WALTransaction? { transactions.last }
    /// The committed ones among `transactions`.
    public var commits: [WALTransaction] { transactions.filter(\.committed) }
    public var aborts: [WALTransaction] { transactions.filter { !$0.committed } }

    /// The first commit or abort stamped later than `time` (to the
    /// microsecond): recovery with `recovery_target_time = time` and the
    /// default `recovery_target_inclusive = on` stops just before it. Nil
    /// when every one in the segment is at or before `time`: recovery to
    /// `time` replays all of this segment and needs later ones.
    public func firstTransaction(after time: Date, committedOnly: Bool = false) -> WALTransaction? {
        let target = PostgresTimestamp(time)
        return transactions.first { $0.timestamp > target && (!committedOnly || $0.committed) }
    }

    /// The last commit or abort stamped at or before `time`: the last one
    /// recovery to `time` replays from this segment.
    public func lastTransaction(atOrBefore time: Date, committedOnly: Bool = false) -> WALTransaction? {
        let target = PostgresTimestamp(time)
        return transactions.last { $0.timestamp <= target && (!committedOnly || $0.committed) }
    }

    /// The commit or abort of transaction `xid`, for `recovery_target_xid`.
    public func transaction(xid: UInt32) -> WALTransaction? {
        transactions.first { $0.xid == xid }
    }

    /// The first restore point called `name`: where recovery with
    /// `recovery_target_name = name` stops, if it reaches this segment.
    public func restorePoint(named name: String) -> WALRestorePoint? {
        restorePoints.first { $0.name == name }
    }

    /// Whether a record beginning at `lsn` would begin in this segment.
    public func contains(_ lsn: LSN) -> Bool { lsn >= startLSN && lsn < endLSN }
}
