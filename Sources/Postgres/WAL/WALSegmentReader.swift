/// Walks the records of one segment, page by page: skips page headers and the
/// tail of a record begun in the previous segment, reassembles records that
/// cross pages, and checks each one's header and checksum as PostgreSQL's
/// xlogreader.c does.
struct WALSegmentReader {
    /// One step of the walk.
    enum Step {
        case record(WALRecord)
        case stop(WALScanStop)
    }

    /// `MAXALIGN`: records start at multiples of 8.
    static let alignment = 8

    /// The segment's bytes read so far: all of them, or (`WALSegmentStream`)
    /// a prefix that `extend` lengthens.
    private(set) var bytes: UnsafeRawBufferPointer
    let header: WALLongPageHeader
    let mainDataLimit: Int
    private let pageSize: Int
    private let magic: WALPageMagic
    /// Offset of the next record, or of the page header in front of it.
    private var position: Int
    private var previousRecord: LSN?
    /// The record being reassembled, reused from one record to the next.
    private var assembly: [UInt8] = []

    init(bytes: UnsafeRawBufferPointer, header: WALLongPageHeader, mainDataLimit: Int) {
        self.bytes = bytes
        self.header = header
        self.mainDataLimit = max(0, mainDataLimit)
        pageSize = Int(header.blockSize)
        magic = WALPageMagic(header.magic)
        position = header.page.size
    }

    /// Where the next record (or the page header in front of it) starts: no
    /// byte before this page is read again.
    var offset: Int { position }

    /// Goes on with more of the same segment: `longer` starts where `bytes`
    /// did. A step that stopped for want of bytes (`isShortOfBytes`) left
    /// nothing half-done: taken again, it gives what one step over all the
    /// bytes would have.
    mutating func extend(to longer: UnsafeRawBufferPointer) {
        precondition(longer.baseAddress == bytes.baseAddress && longer.count >= bytes.count, "a WAL segment grows only at its end")
        bytes = longer
    }

    private func lsn(_ offset: Int) -> LSN { LSN(header.pageAddress.value + UInt64(offset)) }

    private static func aligned(_ offset: Int) -> Int { (offset + alignment - 1) / alignment * alignment }

    /// Moves past the end of a record begun in the previous segment, if the
    /// segment starts with one; returns why to stop when it fills all the bytes.
    mutating func skipContinuation() -> WALScanStop? {
        guard header.page.continuesRecord else { return nil }
        var remaining = Int(header.page.remainingLength)
        var offset = header.page.size
        var pageStart = 0
        while true {
            let pageEnd = pageStart + pageSize
            let stored = min(pageEnd, bytes.count) - offset
            if remaining <= stored {
                position = Self.aligned(offset + remaining)
                return nil
            }
            if pageEnd > bytes.count { return .endOfBytes(at: lsn(bytes.count)) }
            remaining -= stored
            pageStart = pageEnd
            switch WALPageCheck(at: pageStart, of: bytes, first: header, continuing: remaining) {
            case let .valid(page): offset = pageStart + page.size
            case .missing: return .endOfBytes(at: lsn(pageStart))
            case .unwritten: return .endOfWAL(at: lsn(pageStart))
            case let .invalid(reason): return .invalidData(at: lsn(pageStart), reason: reason)
            }
        }
    }

    /// The next record, or why there is none.
    mutating func next() -> Step {
        if position % pageSize == 0 {
            // A record never starts at a page boundary, only after the page header.
            switch WALPageCheck(at: position, of: bytes, first: header, continuing: nil) {
            case let .valid(page): position += page.size
            case .missing: return .stop(.endOfBytes(at: lsn(position)))
            case .unwritten: return .stop(.endOfWAL(at: lsn(position)))
            case let .invalid(reason): return .stop(.invalidData(at: lsn(position), reason: reason))
            }
        }
        let start = position, startLSN = lsn(start)
        guard let totalLength = bytes.littleEndian(UInt32.self, at: start) else { return .stop(.endOfBytes(at: startLSN)) }
        if totalLength == 0 { return .stop(.endOfWAL(at: startLSN)) }
        guard totalLength >= WALRecordBody.headerSize else {
            return .stop(.invalidData(at: startLSN, reason: "record length \(totalLength) is shorter than a record header"))
        }
        // When the whole header is on this page, reject a stray one before reading on.
        if start % pageSize + WALRecordBody.headerSize <= pageSize,
           let prev = bytes.littleEndian(UInt64.self, at: start + 8), let problem = previousProblem(LSN(prev), at: startLSN) {
            return .stop(.invalidData(at: startLSN, reason: problem))
        }
        if let stop = assemble(from: start, length: Int(totalLength)) { return .stop(stop) }
        return assembly.withUnsafeBytes { record in finish(record, at: startLSN) }
    }

    /// Copies the record at `start` into `assembly`, skipping page headers, and
    /// leaves `position` just past it (aligned); or says why it cannot.
    private mutating func assemble(from start: Int, length: Int) -> WALScanStop? {
        assembly.removeAll(keepingCapacity: true)
        let startLSN = lsn(start)
        var offset = start, remaining = length
        var pageStart = start - start % pageSize
        while true {
            let pageEnd = pageStart + pageSize
            let piece = min(remaining, min(pageEnd, bytes.count) - offset)
            assembly.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + piece]))
            offset += piece
            remaining -= piece
            if remaining == 0 { break }
            if pageEnd >= bytes.count { return .incompleteRecord(at: startLSN) }
            pageStart = pageEnd
            switch WALPageCheck(at: pageStart, of: bytes, first: header, continuing: remaining) {
            case let .valid(page): offset = pageStart + page.size
            case .missing: return .incompleteRecord(at: startLSN)
            case .unwritten:
                return .invalidData(at: startLSN, reason: "the record goes on at \(lsn(pageStart)), but that page was never written")
            case let .invalid(reason): return .invalidData(at: startLSN, reason: reason)
            }
        }
        position = Self.aligned(offset)
        return nil
    }

    /// Checks the reassembled record and turns it into a `WALRecord`.
    private mutating func finish(_ record: UnsafeRawBufferPointer, at lsn: LSN) -> Step {
        guard let xid = record.littleEndian(UInt32.self, at: 4), let prev = record.littleEndian(UInt64.self, at: 8),
              let info = record.littleEndian(UInt8.self, at: 16), let rmid = record.littleEndian(UInt8.self, at: 17),
              let storedCRC = record.littleEndian(UInt32.self, at: 20) else {
            return .stop(.invalidData(at: lsn, reason: "the record is shorter than its header"))
        }
        if let problem = previousProblem(LSN(prev), at: lsn) { return .stop(.invalidData(at: lsn, reason: problem)) }
        var crc = CRC32C()
        crc.update(UnsafeRawBufferPointer(rebasing: record[WALRecordBody.headerSize...]))
        crc.update(UnsafeRawBufferPointer(rebasing: record[..<20]))
        guard crc.value == storedCRC else {
            return .stop(.invalidData(at: lsn, reason: "incorrect checksum in the record at \(lsn)"))
        }
        let body = WALRecordBody(record: record, magic: magic, pageSize: pageSize)
        let mainData = body.map { body in
            Array(UnsafeRawBufferPointer(rebasing: record[body.mainData.prefix(mainDataLimit)]))
        }
        previousRecord = lsn
        return .record(WALRecord(
            lsn: lsn, endLSN: self.lsn(position), previousLSN: LSN(prev), totalLength: UInt32(record.count), xid: xid,
            resourceManager: rmid, info: info, blocks: body?.blocks ?? [], mainData: mainData,
            mainDataLength: body?.mainData.count ?? 0
        ))
    }

    /// Why `prev` cannot be the `xl_prev` of a record at `lsn`, if it cannot:
    /// it must name the record before, or lie before `lsn` for the first one.
    private func previousProblem(_ prev: LSN, at lsn: LSN) -> String? {
        if let previousRecord {
            return prev == previousRecord ? nil : "the record at \(lsn) points back to \(prev), not to the record at \(previousRecord)"
        }
        return prev < lsn ? nil : "the record at \(lsn) points back to \(prev), which is not before it"
    }
}
