/// The scan of one segment's records, from its first page to where it stops
/// (see `WALSegmentScan` for where that is), over bytes that may still grow:
/// shared by the scans over a whole buffer and `WALSegmentStream`.
struct WALRecordWalk {
    private(set) var reader: WALSegmentReader
    /// Whether the tail of a record begun in the previous segment is behind.
    private var continuationSkipped = false
    /// Why the walk ended; nil while it may go on.
    private(set) var stop: WALScanStop?

    init(bytes: UnsafeRawBufferPointer, header: WALLongPageHeader, mainDataLimit: Int) {
        reader = WALSegmentReader(bytes: bytes, header: header, mainDataLimit: mainDataLimit)
    }

    /// Goes on over a longer prefix of the same segment.
    mutating func extend(to longer: UnsafeRawBufferPointer) { reader.extend(to: longer) }

    /// Hands each record to `body`, in order, until the walk stops. With
    /// `moreToCome`, running out of bytes is not a stop: `run` returns, and
    /// goes on from there after `extend`.
    mutating func run(moreToCome: Bool, _ body: (WALRecord) -> Void) {
        guard stop == nil else { return }
        if !continuationSkipped {
            if let reason = reader.skipContinuation() {
                if !(moreToCome && reason.isShortOfBytes) { stop = reason }
                return
            }
            continuationSkipped = true
        }
        while true {
            switch reader.next() {
            case let .record(record):
                body(record)
                if record.isSwitch {
                    stop = .switchRecord(at: record.lsn)
                    return
                }
            case let .stop(reason):
                if !(moreToCome && reason.isShortOfBytes) { stop = reason }
                return
            }
        }
    }
}
