/// Why a segment scan stopped reading records.
public enum WALScanStop: Sendable, Equatable {
    /// The bytes ended between records at `lsn`: the end of the segment, or of
    /// a shorter (truncated) copy of it.
    case endOfBytes(at: LSN)
    /// A record begins at `lsn` but does not end within the bytes: it goes on
    /// in the next segment, or the copy is truncated. It is not reported.
    case incompleteRecord(at: LSN)
    /// Zeros where the next record would begin at `lsn`: nothing more was
    /// written (the segment is the one being written, or the server crashed).
    case endOfWAL(at: LSN)
    /// An `XLOG_SWITCH` record starting at `lsn`, the last one reported:
    /// PostgreSQL leaves the rest of the segment unused.
    case switchRecord(at: LSN)
    /// Something at `lsn` is not a valid record or page: a bad checksum, an
    /// implausible header, a page left over from a recycled segment.
    case invalidData(at: LSN, reason: String)

    /// Where the scan stopped.
    public var lsn: LSN {
        switch self {
        case let .endOfBytes(lsn), let .incompleteRecord(lsn), let .endOfWAL(lsn), let .switchRecord(lsn), let .invalidData(lsn, _):
            return lsn
        }
    }

    /// Whether the scan stopped only because the bytes ended: with more of the
    /// segment it would go on (see `WALSegmentStream`).
    var isShortOfBytes: Bool {
        switch self {
        case .endOfBytes, .incompleteRecord: return true
        case .endOfWAL, .switchRecord, .invalidData: return false
        }
    }
}
