/// The header at the start of every WAL page (`XLogPageHeaderData`, 24 bytes
/// with padding), little-endian, the same in PostgreSQL 10 to 17.
public struct WALPageHeader: Sendable, Equatable {
    /// `SizeOfXLogShortPHD`.
    public static let shortSize = 24
    /// `SizeOfXLogLongPHD`: the short header, then `xlp_sysid`, `xlp_seg_size`, `xlp_xlog_blcksz`.
    public static let longSize = 40

    /// `XLP_FIRST_IS_CONTRECORD`: the page starts with the rest of a record begun earlier.
    static let firstIsContinuation: UInt16 = 0x0001
    /// `XLP_LONG_HEADER`: the long header follows (the first page of a segment).
    static let longHeader: UInt16 = 0x0002
    /// All bits PostgreSQL defines in `xlp_info` (`XLP_ALL_FLAGS` of 15+, a superset of older ones).
    static let allFlags: UInt16 = 0x000F

    /// `xlp_magic`: the WAL format version.
    public var magic: UInt16
    /// `xlp_info`: flag bits.
    public var info: UInt16
    /// `xlp_tli`: the timeline of the first record on the page.
    public var timeline: UInt32
    /// `xlp_pageaddr`: the WAL location of the page itself.
    public var pageAddress: LSN
    /// `xlp_rem_len`: how many bytes of a record begun on an earlier page remain,
    /// when `continuesRecord`.
    public var remainingLength: UInt32

    /// Whether the page starts with the continuation of an earlier record.
    public var continuesRecord: Bool { info & Self.firstIsContinuation != 0 }
    /// Whether the long header follows.
    public var isLong: Bool { info & Self.longHeader != 0 }
    /// Bytes the header takes on the page; records start after it.
    public var size: Int { isLong ? Self.longSize : Self.shortSize }

    /// The header at `offset`, or nil when it does not fit in `bytes`.
    static func read(from bytes: UnsafeRawBufferPointer, at offset: Int) -> WALPageHeader? {
        guard let magic = bytes.littleEndian(UInt16.self, at: offset),
              let info = bytes.littleEndian(UInt16.self, at: offset + 2),
              let timeline = bytes.littleEndian(UInt32.self, at: offset + 4),
              let address = bytes.littleEndian(UInt64.self, at: offset + 8),
              let remaining = bytes.littleEndian(UInt32.self, at: offset + 16) else { return nil }
        return WALPageHeader(magic: magic, info: info, timeline: timeline, pageAddress: LSN(address), remainingLength: remaining)
    }
}

/// The long header on the first page of every WAL segment
/// (`XLogLongPageHeaderData`, 40 bytes): it identifies the cluster, the
/// timeline and the segment's place in the WAL.
public struct WALLongPageHeader: Sendable, Equatable {
    /// The standard fields every page has.
    public var page: WALPageHeader
    /// `xlp_sysid`: the cluster's system identifier, as in `pg_control_system()`.
    public var systemIdentifier: UInt64
    /// `xlp_seg_size`: bytes per segment (16 MiB unless `initdb --wal-segsize`).
    public var segmentSize: UInt32
    /// `xlp_xlog_blcksz`: bytes per WAL page (`XLOG_BLCKSZ`, 8 KiB by default).
    public var blockSize: UInt32

    public var magic: UInt16 { page.magic }
    public var timeline: UInt32 { page.timeline }
    /// The segment's first WAL location.
    public var pageAddress: LSN { page.pageAddress }

    /// Reads and checks the long header at the start of `bytes`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(WALFormatError) -> WALLongPageHeader {
        guard let page = WALPageHeader.read(from: bytes, at: 0) else {
            throw .tooShort(needed: WALPageHeader.longSize, actual: bytes.count)
        }
        if page.magic == 0, bytes.prefix(WALPageHeader.longSize).allSatisfy({ $0 == 0 }) { throw .unwrittenSegment }
        guard WALPageMagic(page.magic).isSupported else { throw .unknownMagic(page.magic) }
        guard page.info & ~WALPageHeader.allFlags == 0 else { throw .unknownPageFlags(page.info) }
        guard page.isLong else { throw .notALongHeader(info: page.info) }
        guard let systemIdentifier = bytes.littleEndian(UInt64.self, at: 24),
              let segmentSize = bytes.littleEndian(UInt32.self, at: 32),
              let blockSize = bytes.littleEndian(UInt32.self, at: 36) else {
            throw .tooShort(needed: WALPageHeader.longSize, actual: bytes.count)
        }
        guard isPowerOfTwo(segmentSize, from: 1 << 20, to: 1 << 30) else { throw .implausibleSegmentSize(segmentSize) }
        guard isPowerOfTwo(blockSize, from: 1 << 10, to: 1 << 16) else { throw .implausibleBlockSize(blockSize) }
        guard page.pageAddress.value % UInt64(segmentSize) == 0 else {
            throw .misalignedPageAddress(page.pageAddress, segmentSize: segmentSize)
        }
        guard page.timeline != 0 else { throw .invalidTimeline(page.timeline) }
        return WALLongPageHeader(page: page, systemIdentifier: systemIdentifier, segmentSize: segmentSize, blockSize: blockSize)
    }

    /// Reads and checks the long header at the start of `bytes`.
    public static func parse(_ bytes: [UInt8]) throws(WALFormatError) -> WALLongPageHeader {
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(WALFormatError) in try parse(buffer) } }
        return try result.get()
    }

    private static func isPowerOfTwo(_ value: UInt32, from lower: UInt32, to upper: UInt32) -> Bool {
        value.nonzeroBitCount == 1 && value >= lower && value <= upper
    }
}
