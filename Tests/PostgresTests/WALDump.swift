import ExternalProgram
import Foundation
import LifeboatTestSupport
import Postgres

/// What `pg_waldump -b <segment>` printed, parsed: the reference a segment
/// scan is compared with. Run with `TZ=UTC` so that times print in UTC.
struct WALDump {
    struct Block: Equatable {
        var id: Int
        var relation: String
        var fork: String
        var blockNumber: UInt32
        var image: Image?
    }

    struct Image: Equatable {
        var holeOffset: Int
        var holeLength: Int
        var compressed: Bool
        var applied: Bool
    }

    struct Record {
        var resourceManager: String
        /// `rec` of `len (rec/tot)`: the total minus full-page images.
        var recordLength: Int
        var totalLength: Int
        var xid: UInt32
        var lsn: LSN
        var previous: LSN
        var description: String
        var blocks: [Block] = []
    }

    var records: [Record] = []
    /// pg_waldump's standard error: why it stopped, when it did not reach the end.
    var error: String

    /// Runs pg_waldump over one segment file; it exits 1 when it stops at an
    /// invalid record, which is no failure here.
    static func run(_ server: TestPostgres, segment path: String) throws -> WALDump {
        let program = Program(try server.programs.path(of: "pg_waldump"), ["-b", path], environment: ["TZ": "UTC"])
        let result = try ProgramRunner.run(program, allowFailure: true)
        var dump = WALDump(error: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        for line in Self.lines(of: result.stdout) {
            if line.hasPrefix("rmgr: ") {
                guard let record = Self.record(from: line) else { throw WALDumpError.unreadable(line) }
                dump.records.append(record)
            } else if line.hasPrefix("\tblkref #"), !dump.records.isEmpty {
                guard let block = Self.block(from: line) else { throw WALDumpError.unreadable(line) }
                dump.records[dump.records.count - 1].blocks.append(block)
            }
        }
        return dump
    }

    /// The LSN after `marker` in pg_waldump's error message, if it is there.
    func errorLSN(after marker: String) -> LSN? {
        guard let range = error.range(of: marker) else { return nil }
        return LSN(String(error[range.upperBound...].prefix { $0 != ":" && $0 != "," && $0 != " " }))
    }

    /// The lines of `data`, each cut to 400 bytes: a logical message's
    /// description prints its whole payload in hex.
    private static func lines(of data: Data) -> [String] {
        data.withUnsafeBytes { bytes -> [String] in
            guard let base = bytes.baseAddress else { return [] }
            var lines: [String] = []
            var start = 0
            while start < bytes.count {
                let end = memchr(base + start, 0x0A, bytes.count - start).map { base.distance(to: UnsafeRawPointer($0)) } ?? bytes.count
                lines.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<min(end, start + 400)]), as: UTF8.self))
                start = end + 1
            }
            return lines
        }
    }

    /// `rmgr: Heap        len (rec/tot):     54/   150, tx:        735, lsn: 0/0153E0D0, prev 0/0153E098, desc: INSERT off 2`
    private static func record(from line: String) -> Record? {
        func field(_ marker: String, until terminator: Character = ",") -> String? {
            guard let range = line.range(of: marker) else { return nil }
            return String(line[range.upperBound...].prefix { $0 != terminator }).trimmingCharacters(in: .whitespaces)
        }
        let name = String(line.dropFirst("rmgr: ".count).prefix { $0 != " " })
        guard let lengths = field("len (rec/tot):")?.split(separator: "/"), lengths.count == 2,
              let recordLength = Int(lengths[0].trimmingCharacters(in: .whitespaces)),
              let totalLength = Int(lengths[1].trimmingCharacters(in: .whitespaces)),
              let xid = field("tx:").flatMap({ UInt32($0) }),
              let lsn = field("lsn:").flatMap({ LSN($0) }), let previous = field(", prev").flatMap({ LSN($0) }),
              let description = line.range(of: "desc: ").map({ String(line[$0.upperBound...]) }) else { return nil }
        return Record(
            resourceManager: name, recordLength: recordLength, totalLength: totalLength, xid: xid, lsn: lsn,
            previous: previous, description: description
        )
    }

    /// `\tblkref #0: rel 1663/5/1259 fork main blk 3 (FPW); hole: offset: 72, length: 8104[, compression saved: 10, method: pglz]`
    private static func block(from line: String) -> Block? {
        func field(_ marker: String, until terminators: Set<Character> = [" ", ",", ";", ":"]) -> String? {
            guard let range = line.range(of: marker) else { return nil }
            return String(line[range.upperBound...].prefix { !terminators.contains($0) })
        }
        guard let id = field("blkref #").flatMap({ Int($0) }), let relation = field(": rel "), let fork = field(" fork "),
              let blockNumber = field(" blk ").flatMap({ UInt32($0) }) else { return nil }
        var image: Image?
        if line.contains("(FPW") {
            guard let offset = field("hole: offset: ").flatMap({ Int($0) }),
                  let length = field(", length: ").flatMap({ Int($0) }) else { return nil }
            image = Image(
                holeOffset: offset, holeLength: length, compressed: line.contains("compression saved"),
                applied: !line.contains("for WAL verification")
            )
        }
        return Block(id: id, relation: relation, fork: fork, blockNumber: blockNumber, image: image)
    }
}

enum WALDumpError: Error, CustomStringConvertible {
    case unreadable(String)

    var description: String {
        switch self {
        case let .unreadable(line): return "cannot read pg_waldump's line: \(line)"
        }
    }
}
