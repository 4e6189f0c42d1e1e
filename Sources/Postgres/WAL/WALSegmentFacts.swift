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
