/// The records that begin in one WAL segment file, in order, read without
/// PostgreSQL: page headers skipped, records crossing pages reassembled, the
/// tail of a record begun in the previous segment skipped, each record's
/// header and CRC-32C checked.
///
/// The scan stops at the first thing that is not a valid record (zeros after
/// the last record, a bad checksum, a page from a recycled segment), after an
/// `XLOG_SWITCH`, or at a record that does not end within the bytes; `stop`
/// says which. A record that does not end is not reported. The records are
/// those `pg_waldump <segment>` prints.
public struct WALSegmentScan: Sendable, Equatable {
    /// How many bytes of each record's main data a scan keeps by default.
    public static let defaultMainDataLimit = 128

    /// The segment's long page header.
    public let header: WALLongPageHeader
    /// The complete records that begin in the segment.
    public let records: [WALRecord]
    /// Why the scan stopped.
    public let stop: WALScanStop

    /// Scans `segment`, all of one segment file or a truncated copy of one
    /// (no longer than the segment size its header declares), keeping at most
    /// `mainDataLimit` bytes of each record's main data (`.max` keeps it all).
    /// Throws only when the first page header is not that of a WAL segment.
    public init(segment: UnsafeRawBufferPointer, mainDataLimit: Int = defaultMainDataLimit) throws(WALFormatError) {
        header = try WALLongPageHeader.parse(segment)
        guard segment.count <= Int(header.segmentSize) else {
            throw .longerThanSegment(bytes: segment.count, segmentSize: header.segmentSize)
        }
        var walk = WALRecordWalk(bytes: segment, header: header, mainDataLimit: mainDataLimit)
        var records: [WALRecord] = []
        walk.run(moreToCome: false) { records.append($0) }
        self.records = records
        stop = walk.stop ?? .endOfBytes(at: header.pageAddress)
    }

    /// Scans `segment`; see `init(segment:mainDataLimit:)` taking a buffer.
    public init(segment: [UInt8], mainDataLimit: Int = defaultMainDataLimit) throws(WALFormatError) {
        let result = segment.withUnsafeBytes { bytes in
            Result { () throws(WALFormatError) in try WALSegmentScan(segment: bytes, mainDataLimit: mainDataLimit) }
        }
        self = try result.get()
    }

    /// The segment's first WAL location.
    public var segmentStart: LSN { header.pageAddress }

    /// Where the record that does not end within the segment starts, if the
    /// scan stopped at one.
    public var incompleteRecordLSN: LSN? {
        if case let .incompleteRecord(lsn) = stop { return lsn }
        return nil
    }
}
