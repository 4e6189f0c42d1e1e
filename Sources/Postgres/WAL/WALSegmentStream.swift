import Foundation

/// Sums up one WAL segment whose bytes arrive in order — decompressed from a
/// repository, read from a file — holding in memory only the pages from the
/// record being read on, not the whole segment (16 MiB by default, up to
/// 1 GiB): the bytes go into an address range reserved for all of them, and
/// the pages the scan has left behind are given back to the system as it goes.
///
/// Use: write the next bytes into `space`, then `advance(by:)` with their
/// count; after the last, `finish()`. The facts are those
/// `WALSegmentFacts(segment:)` finds in all the bytes at once, and so are the
/// errors.
public final class WALSegmentStream {
    private let region: UnsafeMutableRawBufferPointer
    private let pageSize: Int
    private var filled = 0
    /// Bytes at the start of `region` already given back.
    private var released = 0
    private var walk: WALRecordWalk?
    private var facts: WALSegmentFacts?

    /// Reserves address space for a segment of up to `capacity` bytes; memory
    /// is used only as bytes arrive.
    public init(capacity: Int) throws {
        let size = max(capacity, WALPageHeader.longSize)
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let address, address != MAP_FAILED else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ENOMEM) }
        region = UnsafeMutableRawBufferPointer(start: address, count: size)
        pageSize = max(4096, sysconf(Int32(_SC_PAGESIZE)))
    }

    deinit { munmap(region.baseAddress, region.count) }

    /// Where the next bytes go: up to 256 KiB, so that the pages behind are
    /// given back often; empty once `capacity` bytes have come.
    public var space: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: region[filled..<min(filled + (256 << 10), region.count)])
    }

    /// Takes the `count` bytes just written at the start of `space`, reads the
    /// records they complete, and gives back the pages no record needs now.
    public func advance(by count: Int) throws(WALFormatError) {
        precondition(count >= 0 && count <= region.count - filled, "more bytes than the space handed out")
        filled += count
        try scan(moreToCome: true)
    }

    /// Reads the whole segment from `read` (which fills the buffer it is
    /// given and returns how many bytes, 0 at the end) and returns its facts;
    /// more bytes than `capacity` are refused as `longerThanSegment`.
    public func facts(reading read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> WALSegmentFacts {
        while true {
            let space = self.space
            if space.isEmpty {
                var probe: UInt8 = 0
                guard try withUnsafeMutableBytes(of: &probe, { try read($0) }) == 0 else {
                    throw WALFormatError.longerThanSegment(bytes: filled + 1, segmentSize: UInt32(clamping: region.count))
                }
                break
            }
            let n = try read(space)
            if n == 0 { break }
            try advance(by: n)
        }
        return try finish()
    }

    /// The facts of the segment, once all its bytes have come.
    public func finish() throws(WALFormatError) -> WALSegmentFacts {
        try scan(moreToCome: false)
        guard var facts, let walk else { throw .tooShort(needed: WALPageHeader.longSize, actual: filled) }
        facts.stop = walk.stop ?? .endOfBytes(at: facts.startLSN)
        return facts
    }

    private func scan(moreToCome: Bool) throws(WALFormatError) {
        let bytes = UnsafeRawBufferPointer(rebasing: region[..<filled])
        if walk == nil {
            guard !moreToCome || filled >= WALPageHeader.longSize else { return }
            let header = try WALLongPageHeader.parse(bytes)
            walk = WALRecordWalk(bytes: bytes, header: header, mainDataLimit: .max)
            facts = WALSegmentFacts(header: header)
        }
        guard let segmentSize = facts?.segmentSize else { return }
        guard filled <= Int(segmentSize) else { throw .longerThanSegment(bytes: filled, segmentSize: segmentSize) }
        walk?.extend(to: bytes)
        walk?.run(moreToCome: moreToCome) { facts?.include($0) }
        // Pages before the one the next record starts on are never read again;
        // once the walk has stopped, none is.
        guard let walk else { return }
        let needed = walk.stop == nil ? walk.reader.offset / pageSize * pageSize : filled / pageSize * pageSize
        if needed > released, let base = region.baseAddress {
            // Giving pages back only saves memory: a refusal changes nothing else.
            _ = madvise(base + released, needed - released, MADV_DONTNEED)
            released = needed
        }
    }
}
