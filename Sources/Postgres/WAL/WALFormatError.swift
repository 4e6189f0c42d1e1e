import Foundation

/// Why a buffer cannot be read as a PostgreSQL WAL segment at all.
///
/// Problems inside a valid segment (a torn record, a bad checksum, zeros after
/// the last record) are not errors: the scan stops there and says why in
/// `WALSegmentScan.stop`.
public enum WALFormatError: Error, LocalizedError, Equatable {
    /// Fewer bytes than the header being read needs.
    case tooShort(needed: Int, actual: Int)
    /// The first page is all zeros: a pre-allocated segment nothing was written to.
    case unwrittenSegment
    /// `xlp_magic` is not that of PostgreSQL 10 or later.
    case unknownMagic(UInt16)
    /// The first page of a segment must carry the long header.
    case notALongHeader(info: UInt16)
    /// `xlp_info` has bits PostgreSQL does not define.
    case unknownPageFlags(UInt16)
    /// `xlp_seg_size` is not a power of two between 1 MiB and 1 GiB.
    case implausibleSegmentSize(UInt32)
    /// `xlp_xlog_blcksz` is not a power of two between 1 KiB and 64 KiB.
    case implausibleBlockSize(UInt32)
    /// `xlp_pageaddr` of the first page is not the start of a segment.
    case misalignedPageAddress(LSN, segmentSize: UInt32)
    /// `xlp_tli` is 0; timelines start at 1.
    case invalidTimeline(UInt32)
    /// More bytes than the segment size the header declares.
    case longerThanSegment(bytes: Int, segmentSize: UInt32)

    public var errorDescription: String? {
        switch self {
        case let .tooShort(needed, actual):
            return "not a WAL segment: \(actual) bytes, but a WAL page header needs \(needed)"
        case .unwrittenSegment:
            return "the WAL segment starts with an empty page: it was allocated but never written"
        case let .unknownMagic(magic):
            return "not a WAL segment of PostgreSQL 10 or later: the page magic is 0x\(hex(magic))"
        case let .notALongHeader(info):
            return "not the start of a WAL segment: its first page has no long header (xlp_info 0x\(hex(info)))"
        case let .unknownPageFlags(info):
            return "not a WAL segment: unknown page flags 0x\(hex(info)) in its first page header"
        case let .implausibleSegmentSize(size):
            return "not a WAL segment: its header declares a segment size of \(size) bytes "
                + "(PostgreSQL uses a power of two between 1 MiB and 1 GiB)"
        case let .implausibleBlockSize(size):
            return "not a WAL segment: its header declares a WAL block size of \(size) bytes "
                + "(PostgreSQL uses a power of two between 1 KiB and 64 KiB)"
        case let .misalignedPageAddress(address, segmentSize):
            return "not the start of a WAL segment: its first page is at \(address), "
                + "which is not a multiple of the segment size \(segmentSize)"
        case let .invalidTimeline(timeline):
            return "not a WAL segment: its header names timeline \(timeline) (timelines start at 1)"
        case let .longerThanSegment(bytes, segmentSize):
            return "\(bytes) bytes are more than one WAL segment: the header declares \(segmentSize) bytes; "
                + "pass one segment at a time"
        }
    }

    private func hex<T: BinaryInteger>(_ value: T) -> String {
        String(value, radix: 16, uppercase: true)
    }
}
