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
    /// The page magic: which PostgreSQL wrote the records.
    private let magic: WALPageMagic

    /// Sums up `scan`. Transaction times and restore points need only the
    /// first 72 bytes of main data; the xid of a prepared transaction lies
    /// further in, so when the scan kept too little of it the record's own
    /// `xl_xid` is reported instead. `init(segment:)` keeps everything.
    public init(scan: WALSegmentScan) {
        self.init(header: scan.header)
        for record in scan.records { include(record) }
        stop = scan.stop
    }

    /// Scans `segment` (see `WALSegmentScan`) and sums it up, one record at a
    /// time: the records themselves are not kept.
    public init(segment: UnsafeRawBufferPointer) throws(WALFormatError) {
        let header = try WALLongPageHeader.parse(segment)
        guard segment.count <= Int(header.segmentSize) else {
            throw .longerThanSegment(bytes: segment.count, segmentSize: header.segmentSize)
        }
        self.init(header: header)
        var walk = WALRecordWalk(bytes: segment, header: header, mainDataLimit: .max)
        walk.run(moreToCome: false) { include($0) }
        stop = walk.stop ?? .endOfBytes(at: header.pageAddress)
    }

    /// Scans `segment` (see `WALSegmentScan`) and sums it up.
    public init(segment: [UInt8]) throws(WALFormatError) {
        let result = segment.withUnsafeBytes { bytes in
            Result { () throws(WALFormatError) in try WALSegmentFacts(segment: bytes) }
        }
        self = try result.get()
    }

    /// The facts of a segment with this first page before any record is read.
    init(header: WALLongPageHeader) {
        systemIdentifier = header.systemIdentifier
        timeline = header.timeline
        segmentSize = header.segmentSize
        startLSN = header.pageAddress
        recordCount = 0
        transactions = []
        restorePoints = []
        hasSwitch = false
        stop = .endOfBytes(at: header.pageAddress)
        magic = WALPageMagic(header.magic)
    }

    /// Counts in the next record that begins in the segment.
    mutating func include(_ record: WALRecord) {
        if firstRecordLSN == nil { firstRecordLSN = record.lsn }
        endOfRecords = record.endLSN
        lastRecordLSN = record.lsn
        recordCount += 1
        if let transaction = WALTransaction(record: record, magic: magic) { transactions.append(transaction) }
        if let point = WALRestorePoint(record: record) { restorePoints.append(point) }
        hasSwitch = record.isSwitch
    }
}
