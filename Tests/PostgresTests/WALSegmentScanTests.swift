import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// Reading WAL segments without PostgreSQL, checked against what pg_waldump
/// prints for WAL a throwaway PostgreSQL really wrote.
@Suite(
    .postgres(settings: [
        "full_page_writes": "on",
        "max_prepared_transactions": "4",
        "timezone": "'UTC'",
        "log_timezone": "'UTC'",
        // Keep every segment: the tests read finished ones after checkpoints.
        "wal_keep_size": "'1GB'",
    ]),
    .serialized
)
struct WALSegmentScanTests {
    @Test func everyFinishedSegmentMatchesPgWaldump() throws {
        let server = try TestPostgres.require()
        _ = try WALWorkload.run(on: server)
        try WALWorkload.writeGiantRecord(on: server)
        var seen: Set<String> = []
        var unfinished: LSN?
        for path in try WALWorkload.finishedSegments(of: server) {
            let name = (path as NSString).lastPathComponent
            let dump = try WALDump.run(server, segment: path)
            let scan = try Self.scan(path)
            let problems = dump.differences(from: scan)
            #expect(problems.isEmpty, "\(name): \(problems.count) differences, first: \(problems.prefix(5).joined(separator: "; "))")
            Self.expectSameStop(scan, dump, name: name)

            // A record left unfinished is the one the next record found points back to.
            if let first = dump.records.first, let lsn = unfinished {
                #expect(first.previous == lsn, "\(name): first record points back to \(first.previous), not \(lsn)")
                unfinished = nil
            }
            if let lsn = scan.incompleteRecordLSN {
                unfinished = lsn
                #expect(scan.records.last.map { Self.nextStart(after: $0, pageSize: scan.header.blockSize) == lsn } ?? true)
            }
            let misplaced = zip(scan.records, scan.records.dropFirst()).filter { record, next in
                Self.nextStart(after: record, pageSize: scan.header.blockSize) != next.lsn
            }
            #expect(misplaced.isEmpty, "\(name): \(misplaced.count) records do not end where the next begins")
            seen.formUnion(Self.features(of: scan, dump))
        }
        #expect(seen == [
            "starts with a continuation", "ends inside a record", "no record begins", "switch",
            "compressed image with hole", "plain image", "crosses pages",
        ])
    }

    @Test func factsAgreeWithPgWaldumpAndTheServer() throws {
        let server = try TestPostgres.require()
        let workload = try WALWorkload.run(on: server)
        let dump = try WALDump.run(server, segment: workload.segmentPath)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: workload.segmentPath)))
        let facts = try WALSegmentFacts(segment: bytes)

        let cluster = try server.connect().query("""
            SELECT (SELECT system_identifier FROM pg_control_system())::text,
                   (SELECT setting FROM pg_settings WHERE name = 'wal_segment_size')
            """).rows.first
        #expect(cluster == [String(facts.systemIdentifier), String(facts.segmentSize)])
        #expect(facts.timeline == 1)
        #expect(facts.startLSN.value % UInt64(facts.segmentSize) == 0)
        #expect(facts.startLSN <= workload.restorePointEnd && workload.restorePointEnd.value < facts.startLSN.value + UInt64(facts.segmentSize))
        #expect(facts.recordCount == dump.records.count)
        #expect(facts.firstRecordLSN == dump.records.first?.lsn)

        // Commits and aborts: the same records, xids and times to the microsecond.
        let expected = dump.records.compactMap(Self.transaction(from:))
        #expect(expected.count >= 6)
        #expect(facts.transactions.map(Self.describe) == expected)
        #expect(facts.transactions.filter { !$0.committed }.map(\.xid).contains(workload.abortedXID))
        #expect(facts.transactions.first { $0.xid == workload.preparedXID }?.kind == .commitPrepared)
        for transaction in facts.transactions {
            #expect(PostgresTimestamp(transaction.time) == transaction.timestamp)
        }

        // The restore point: name and location as pg_waldump and the server say.
        let points = dump.records.filter { $0.resourceManager == "XLOG" && $0.description.hasPrefix("RESTORE_POINT ") }
        #expect(facts.restorePoints.map(\.name) == points.map { String($0.description.dropFirst("RESTORE_POINT ".count)) })
        #expect(facts.restorePoints.map(\.lsn) == points.map(\.lsn))
        let point = try #require(facts.restorePoints.first { $0.name == WALWorkload.restorePointName })
        #expect(point.endLSN == workload.restorePointEnd)
        #expect(abs(point.time.timeIntervalSinceNow) < 600)

        // The switch ends it.
        let last = try #require(dump.records.last)
        #expect(last.description.hasPrefix("SWITCH"))
        #expect(facts.hasSwitch)
        #expect(facts.stop == .switchRecord(at: last.lsn))
        #expect(facts.endOfRecords == workload.switchEnd)
    }

    @Test func mainDataIsTheEndOfTheRecord() throws {
        let server = try TestPostgres.require()
        let workload = try WALWorkload.run(on: server)
        let dump = try WALDump.run(server, segment: workload.segmentPath)
        let scan = try Self.scan(workload.segmentPath)
        let index = try #require(dump.records.firstIndex { $0.resourceManager == "LogicalMessage" })
        let payload = try #require(dump.records[index].description.split(separator: "(").dropFirst().first?.prefix { $0.isNumber })
        #expect(Int(payload) == WALWorkload.messageSize)
        let message = scan.records[index]
        // xl_logical_message: dbId, transactional, prefix_size, message_size, then prefix and message.
        #expect(message.mainDataLength == 24 + WALWorkload.messagePrefix.utf8.count + 1 + WALWorkload.messageSize)
        let data = try #require(message.mainData)
        #expect(data.count == WALSegmentScan.defaultMainDataLimit)
        #expect(Array(data[24..<33]) == Array((WALWorkload.messagePrefix + "\0").utf8))
        #expect(data[33...].allSatisfy { $0 == UInt8(ascii: "y") })
        #expect(Self.crossesPage(message, pageSize: scan.header.blockSize))
    }

    @Test func truncatedSegmentDoesNotReportTheRecordCutOff() throws {
        let server = try TestPostgres.require()
        let workload = try WALWorkload.run(on: server)
        let dump = try WALDump.run(server, segment: workload.segmentPath)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: workload.segmentPath)))
        let start = try WALLongPageHeader.parse(bytes).pageAddress.value
        let index = try #require(dump.records.firstIndex { $0.totalLength > 16_384 })
        let cutOff = dump.records[index]
        let offset = Int(cutOff.lsn.value - start)
        let before = dump.records[..<index].map(\.lsn)
        for cut in [offset + 30, (offset / 8192 + 1) * 8192, (offset / 8192 + 2) * 8192 + 17] {
            let scan = try WALSegmentScan(segment: Array(bytes[..<cut]))
            #expect(scan.records.map(\.lsn) == before, "cut at \(cut)")
            #expect(scan.stop == .incompleteRecord(at: cutOff.lsn))
            #expect(scan.incompleteRecordLSN == cutOff.lsn)
        }
        let atStart = try WALSegmentScan(segment: Array(bytes[..<offset]))
        #expect(atStart.records.map(\.lsn) == before)
        #expect(atStart.stop == .endOfBytes(at: cutOff.lsn))
    }

    @Test func corruptionStopsTheScanAtTheDamagedRecord() throws {
        let server = try TestPostgres.require()
        let workload = try WALWorkload.run(on: server)
        let dump = try WALDump.run(server, segment: workload.segmentPath)
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: workload.segmentPath)))
        let start = try WALLongPageHeader.parse(original).pageAddress.value
        let lsns = dump.records.map(\.lsn)

        // The last byte of a restore point or commit record that lies on one page: its checksum no longer matches.
        let point = try #require(dump.records.firstIndex { record in
            let offset = Int(record.lsn.value - start)
            return (record.description.hasPrefix("RESTORE_POINT") || record.resourceManager == "Transaction")
                && offset / 8192 == (offset + record.totalLength - 1) / 8192
        })
        var damaged = original
        let offset = Int(dump.records[point].lsn.value - start) + dump.records[point].totalLength - 1
        damaged[offset] ^= 0x20
        let scan = try WALSegmentScan(segment: damaged)
        #expect(scan.records.map(\.lsn) == Array(lsns[..<point]))
        guard case let .invalidData(at, reason) = scan.stop else { Issue.record("stopped with \(scan.stop)"); return }
        #expect(at == dump.records[point].lsn)
        #expect(reason.contains("checksum"))

        // Whatever byte is damaged, what is reported is a prefix of the real records.
        var random = SplitMix64(seed: 15)
        let written = Int(workload.switchEnd.value - start)
        let head = Array(original[..<min(original.count, written + 8192)])
        for _ in 0..<300 {
            var bytes = head
            let position = Int.random(in: 0..<written, using: &random)
            bytes[position] ^= UInt8.random(in: 1...255, using: &random)
            do {
                let scan = try WALSegmentScan(segment: bytes)
                #expect(Array(lsns.prefix(scan.records.count)) == scan.records.map(\.lsn), "byte \(position)")
            } catch {
                #expect(position < WALPageHeader.longSize, "byte \(position): \(error)")
            }
        }
    }

    @Test func zerosAfterTheLastRecordEndTheScan() throws {
        let server = try TestPostgres.require()
        let workload = try WALWorkload.run(on: server)
        let dump = try WALDump.run(server, segment: workload.segmentPath)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: workload.segmentPath)))
        let header = try WALLongPageHeader.parse(bytes)
        let switchRecord = try #require(dump.records.last)
        #expect(switchRecord.description.hasPrefix("SWITCH"))

        // After the switch a fresh segment (none are recycled here) holds only zeros, page headers included.
        let written = Int(workload.switchEnd.value - header.pageAddress.value)
        let nonZero = bytes.withUnsafeBytes { buffer in
            stride(from: written, to: buffer.count, by: 8).filter { buffer.littleEndian64(at: $0) != 0 }.count
        }
        #expect(nonZero == 0)
        let scan = try WALSegmentScan(segment: bytes)
        #expect(scan.records.count == dump.records.count)
        #expect(scan.records.last?.isSwitch == true)
        #expect(scan.stop == .switchRecord(at: switchRecord.lsn))

        // Without the switch record the zeros themselves stop the scan.
        let offset = Int(switchRecord.lsn.value - header.pageAddress.value)
        for index in offset..<(offset + switchRecord.totalLength) { bytes[index] = 0 }
        let withoutSwitch = try WALSegmentScan(segment: bytes)
        #expect(withoutSwitch.records.map(\.lsn) == dump.records.dropLast().map(\.lsn))
        #expect(withoutSwitch.stop == .endOfWAL(at: switchRecord.lsn))

        // A header and nothing else: no records.
        let empty = try WALSegmentScan(segment: Self.syntheticHeader() + [UInt8](repeating: 0, count: 3 * 8192 - 40))
        #expect(empty.records.isEmpty)
        #expect(empty.stop == .endOfWAL(at: LSN(0x300_0000 + 40)))
    }

    /// `WALSegmentStream` (a segment read as it is decompressed, its pages
    /// given back behind the scan) finds exactly what one scan of all the bytes
    /// finds — in every finished segment, cut at any size, and in truncated
    /// and damaged ones — and refuses what that scan refuses.
    @Test func streamedFactsAreTheFactsOfTheWholeSegment() throws {
        let server = try TestPostgres.require()
        _ = try WALWorkload.run(on: server)
        try WALWorkload.writeGiantRecord(on: server)
        func streamed(_ bytes: [UInt8], piece: Int, capacity: Int = 16 << 20) throws(WALFormatError) -> WALSegmentFacts {
            guard let stream = try? WALSegmentStream(capacity: capacity) else { fatalError("no address space") }
            var offset = 0
            while offset < bytes.count {
                let n = min(piece, bytes.count - offset, stream.space.count)
                if n == 0 { break }
                stream.space.copyBytes(from: bytes[offset..<offset + n])
                try stream.advance(by: n)
                offset += n
            }
            return try stream.finish()
        }
        let segments = try WALWorkload.finishedSegments(of: server)
        #expect(segments.count >= 3)
        for path in segments {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let whole = try WALSegmentFacts(segment: bytes)
            #expect(whole.recordCount > 0 || whole.stop != .endOfBytes(at: whole.startLSN))
            for piece in [4093, 65_549, 256 << 10] {
                #expect(try streamed(bytes, piece: piece) == whole, "\(path) in pieces of \(piece)")
            }
            for cut in [8192 + 100, bytes.count / 3 + 5] {
                let truncated = Array(bytes[..<cut])
                #expect(try streamed(truncated, piece: 4093) == WALSegmentFacts(segment: truncated), "\(path) cut at \(cut)")
            }
            var damaged = bytes
            damaged[bytes.count / 2] ^= 0xFF
            #expect(try streamed(damaged, piece: 65_549) == WALSegmentFacts(segment: damaged), "\(path) damaged")
        }
        #expect(throws: WALFormatError.tooShort(needed: 40, actual: 0)) { try streamed([], piece: 4096) }
        #expect(throws: WALFormatError.tooShort(needed: 40, actual: 10)) { try streamed([UInt8](repeating: 7, count: 10), piece: 4) }
        #expect(throws: WALFormatError.unwrittenSegment) { try streamed([UInt8](repeating: 0, count: 8192), piece: 1000) }
        let overlong = Self.syntheticHeader(segmentSize: 1 << 20) + [UInt8](repeating: 0, count: (1 << 20) + 4096 - 40)
        #expect(throws: WALFormatError.longerThanSegment(bytes: (1 << 20) + 4096, segmentSize: 1 << 20)) {
            try streamed(overlong, piece: 4096)
        }
        // Read by `facts(reading:)` into room for exactly one segment: the byte after it is refused.
        let source = ByteArraySource(overlong)
        #expect(throws: WALFormatError.longerThanSegment(bytes: (1 << 20) + 1, segmentSize: 1 << 20)) {
            try WALSegmentStream(capacity: 1 << 20).facts(reading: { source.read(into: $0) })
        }
    }

    @Test func garbageIsRejectedWithAClearError() throws {
        #expect(throws: WALFormatError.tooShort(needed: 40, actual: 10)) { try WALSegmentScan(segment: [UInt8](repeating: 7, count: 10)) }
        #expect(throws: WALFormatError.unwrittenSegment) { try WALSegmentScan(segment: [UInt8](repeating: 0, count: 8192)) }

        var random = SplitMix64(seed: 7)
        var garbage = (0..<65536).map { _ in UInt8.random(in: 0...255, using: &random) }
        garbage[0] = 0x34
        garbage[1] = 0x12
        let error = try #require(throws: WALFormatError.self) { try WALSegmentScan(segment: garbage) }
        #expect(error == .unknownMagic(0x1234))
        #expect(error.localizedDescription == "not a WAL segment of PostgreSQL 10 or later: the page magic is 0x1234")

        #expect(throws: WALFormatError.implausibleSegmentSize(3_000_000)) {
            try WALLongPageHeader.parse(Self.syntheticHeader(segmentSize: 3_000_000))
        }
        #expect(throws: WALFormatError.implausibleBlockSize(3000)) { try WALLongPageHeader.parse(Self.syntheticHeader(blockSize: 3000)) }
        #expect(throws: WALFormatError.misalignedPageAddress(LSN(0x300_2000), segmentSize: 16 << 20)) {
            try WALLongPageHeader.parse(Self.syntheticHeader(pageAddress: 0x300_2000))
        }
        #expect(throws: WALFormatError.notALongHeader(info: 0)) { try WALLongPageHeader.parse(Self.syntheticHeader(info: 0)) }
        #expect(throws: WALFormatError.invalidTimeline(0)) { try WALLongPageHeader.parse(Self.syntheticHeader(timeline: 0)) }
        #expect(throws: WALFormatError.longerThanSegment(bytes: (1 << 20) + 8, segmentSize: 1 << 20)) {
            try WALSegmentScan(segment: Self.syntheticHeader(segmentSize: 1 << 20) + [UInt8](repeating: 0, count: (1 << 20) - 32))
        }

        let header = try WALLongPageHeader.parse(Self.syntheticHeader())
        #expect(header.systemIdentifier == 7_300_000_000_000_000_001)
        #expect(header.magic == 0xD110, "PostgreSQL 15's WAL page magic")

        // A valid header followed by noise: no record, no crash.
        let noisy = try WALSegmentScan(segment: Self.syntheticHeader() + garbage)
        #expect(noisy.records.isEmpty)
        guard case .invalidData = noisy.stop else { Issue.record("stopped with \(noisy.stop)"); return }
    }
}

extension WALSegmentScanTests {
    static func scan(_ path: String) throws -> WALSegmentScan {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try data.withUnsafeBytes { bytes in try WALSegmentScan(segment: bytes) }
    }

    /// The cases a segment exercises, so that the test can insist on all of them.
    static func features(of scan: WALSegmentScan, _ dump: WALDump) -> Set<String> {
        var features: Set<String> = []
        let images = scan.records.flatMap(\.blocks).compactMap(\.image)
        if scan.header.page.continuesRecord { features.insert("starts with a continuation") }
        if scan.incompleteRecordLSN != nil { features.insert("ends inside a record") }
        if scan.records.isEmpty && dump.error.contains("could not find a valid record") { features.insert("no record begins") }
        if let last = scan.records.last, scan.stop == .switchRecord(at: last.lsn) { features.insert("switch") }
        if images.contains(where: { $0.isCompressed && $0.holeLength > 0 }) { features.insert("compressed image with hole") }
        if images.contains(where: { !$0.isCompressed }) { features.insert("plain image") }
        if scan.records.contains(where: { crossesPage($0, pageSize: scan.header.blockSize) }) { features.insert("crosses pages") }
        return features
    }

    /// Checks that the scan stopped where and why pg_waldump did.
    static func expectSameStop(_ scan: WALSegmentScan, _ dump: WALDump, name: String) {
        let segmentEnd = LSN(scan.segmentStart.value + UInt64(scan.header.segmentSize))
        if let end = dump.errorLSN(after: "invalid record length at ") {
            #expect(scan.stop == .endOfWAL(at: end), "\(name)")
        } else if dump.error.contains("could not find a valid record after") {
            #expect(scan.records.isEmpty && scan.stop == .endOfBytes(at: segmentEnd), "\(name): \(scan.stop)")
        } else if !dump.error.isEmpty {
            Issue.record("\(name): pg_waldump stopped with \(dump.error)")
        } else if let last = dump.records.last, last.resourceManager == "XLOG", last.description.hasPrefix("SWITCH") {
            #expect(scan.stop == .switchRecord(at: last.lsn), "\(name)")
        } else {
            // pg_waldump read to the end: the last record ended there or goes on in the next segment.
            switch scan.stop {
            case .incompleteRecord, .endOfBytes(at: segmentEnd): break
            default: Issue.record("\(name): stopped with \(scan.stop) where pg_waldump read to the end")
            }
        }
    }

    /// Where the record after `record` starts: at its end, or past the page
    /// header when it ends on a page boundary.
    static func nextStart(after record: WALRecord, pageSize: UInt32) -> LSN {
        record.endLSN.value % UInt64(pageSize) == 0 ? LSN(record.endLSN.value + UInt64(WALPageHeader.shortSize)) : record.endLSN
    }

    static func crossesPage(_ record: WALRecord, pageSize: UInt32) -> Bool {
        record.lsn.value / UInt64(pageSize) != (record.lsn.value + UInt64(record.totalLength) - 1) / UInt64(pageSize)
    }

    /// A transaction end as compared: kind, LSN, xid and time in pg_waldump's words.
    struct Described: Equatable, CustomStringConvertible {
        var kind: String
        var lsn: LSN
        var xid: UInt32
        var time: String
        var description: String { "\(kind) \(xid) at \(lsn): \(time)" }
    }

    static func describe(_ transaction: WALTransaction) -> Described {
        let kinds: [WALTransaction.Kind: String] = [
            .commit: "COMMIT", .abort: "ABORT", .commitPrepared: "COMMIT_PREPARED", .abortPrepared: "ABORT_PREPARED",
        ]
        let kind = kinds[transaction.kind] ?? "?"
        return Described(kind: kind, lsn: transaction.lsn, xid: transaction.xid, time: transaction.timestamp.description)
    }

    /// `COMMIT 2026-11-22 10:00:00.123456 UTC; ...` or `COMMIT_PREPARED 745: 2026-...`.
    static func transaction(from record: WALDump.Record) -> Described? {
        guard record.resourceManager == "Transaction" else { return nil }
        let words = record.description.split(separator: " ", maxSplits: 1).map(String.init)
        guard let kind = words.first, ["COMMIT", "ABORT", "COMMIT_PREPARED", "ABORT_PREPARED"].contains(kind), words.count == 2 else {
            return nil
        }
        var rest = Substring(words[1])
        var xid = record.xid
        if kind.hasSuffix("_PREPARED"), let colon = rest.firstIndex(of: ":"), let prepared = UInt32(rest[..<colon]) {
            xid = prepared
            rest = rest[rest.index(colon, offsetBy: 2)...]
        }
        let time = rest.prefix { $0 != ";" }
        return Described(kind: kind, lsn: record.lsn, xid: xid, time: String(time))
    }

    /// A long page header: PostgreSQL 15's magic, 16 MiB segments of 8 KiB pages at 0/3000000.
    static func syntheticHeader(
        info: UInt16 = 0x0002, timeline: UInt32 = 1, pageAddress: UInt64 = 0x300_0000,
        segmentSize: UInt32 = 16 << 20, blockSize: UInt32 = 8192
    ) -> [UInt8] {
        func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        return bytes(UInt16(0xD110)) + bytes(info) + bytes(timeline) + bytes(pageAddress) + bytes(UInt32(0)) + bytes(UInt32(0))
            + bytes(UInt64(7_300_000_000_000_000_001)) + bytes(segmentSize) + bytes(blockSize)
    }
}

extension UnsafeRawBufferPointer {
    /// Eight bytes at `offset` (8-aligned offsets only), 0 past the end.
    func littleEndian64(at offset: Int) -> UInt64 {
        offset + 8 <= count ? UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self)) : 0
    }
}

/// A small seeded random number generator, so that failures repeat.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
