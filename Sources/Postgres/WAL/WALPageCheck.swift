/// What is found at a page boundary inside a segment while walking it.
enum WALPageCheck {
    /// A header that belongs here.
    case valid(WALPageHeader)
    /// The bytes end before the page (or its header) does.
    case missing
    /// A page of zeros: never written.
    case unwritten
    /// A header that does not belong here, and why.
    case invalid(String)

    /// Checks the page header at `offset` of `bytes`, a segment whose first
    /// page has the long header `first`. `continuing` is how many bytes of a
    /// record begun earlier the page must continue, or nil when a new record
    /// must start on it (`XLogReaderValidatePageHeader` and the contrecord
    /// checks in xlogreader.c).
    init(at offset: Int, of bytes: UnsafeRawBufferPointer, first: WALLongPageHeader, continuing: Int?) {
        let address = LSN(first.pageAddress.value + UInt64(offset))
        guard let page = WALPageHeader.read(from: bytes, at: offset), offset + page.size <= bytes.count else {
            self = .missing
            return
        }
        if page.magic == 0, page.info == 0, page.pageAddress.value == 0 {
            self = .unwritten
        } else if page.magic != first.magic {
            self = .invalid("the page at \(address) has magic 0x\(hex(page.magic)), the segment 0x\(hex(first.magic))")
        } else if page.info & ~WALPageHeader.allFlags != 0 {
            self = .invalid("the page at \(address) has unknown flags 0x\(hex(page.info))")
        } else if page.pageAddress != address {
            self = .invalid("the page at \(address) is labelled \(page.pageAddress): left over from a recycled segment")
        } else if page.timeline < first.timeline {
            self = .invalid("the page at \(address) is on timeline \(page.timeline), before the segment's \(first.timeline)")
        } else if let continuing, !page.continuesRecord {
            self = .invalid("a record goes on for \(continuing) bytes, but the page at \(address) does not continue it")
        } else if let continuing, page.remainingLength != continuing {
            self = .invalid("the page at \(address) continues \(page.remainingLength) bytes of a record, not the \(continuing) expected")
        } else if continuing == nil, page.continuesRecord {
            self = .invalid("the page at \(address) continues a record where a new one should begin")
        } else {
            self = .valid(page)
        }
    }
}

private func hex<T: BinaryInteger>(_ value: T) -> String { String(value, radix: 16, uppercase: true) }
