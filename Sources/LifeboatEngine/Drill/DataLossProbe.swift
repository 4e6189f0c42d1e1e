import Foundation
import Postgres

/// Measures a drill's RPO: the time between the last transaction the restored
/// database holds and the last transaction the source committed before the
/// disaster. The commits in between are read from the source's WAL after the
/// recovered point — from the repository where archived, else from the
/// source's `pg_wal` (the data directory when readable, else through
/// `pg_read_binary_file`, which needs superuser or `pg_read_server_files`).
/// No commit there means nothing was lost: an idle source shows an RPO of 0.
public struct DataLossProbe {
    /// What reading a segment found.
    public enum Segment: Sendable, Equatable {
        /// What its records say.
        case facts(WALSegmentFacts)
        /// The file is there but empty.
        case empty
        /// The file is there but is not WAL: zeros, or a recycled file's old first page.
        case notWAL
        /// Not in the archive, and no such file in `pg_wal`.
        case absent
        case unreadable
    }

    /// Reads a segment from wherever it can.
    public typealias SegmentSource = (WALFileName) -> Segment

    public let segmentSize: UInt64
    public let readSegment: SegmentSource
    /// At most this many segments are read back from the disaster before settling for a bound.
    public var segmentLimit = 64

    public init(segmentSize: UInt64, readSegment: @escaping SegmentSource) {
        self.segmentSize = segmentSize
        self.readSegment = readSegment
    }

    /// The outcome: the last commit after the recovered point, if any, or why it could not be read.
    public enum Finding: Sendable, Equatable {
        case nothingLost
        case lastLost(WALTransaction)
        case unreadable(String)
    }

    /// The newest commit with `recovered < lsn < disaster`, reading back from
    /// the disaster's segment; `timeline` names the segments.
    public func lastCommit(after recovered: LSN, before disaster: LSN, timeline: UInt32) -> Finding {
        guard disaster > recovered else { return .nothingLost }
        let first = recovered.value / segmentSize
        var number = (disaster.value - 1) / segmentSize
        var read = 0
        while number >= first {
            guard read < segmentLimit else { return .unreadable("more than \(segmentLimit) WAL segments lie between the recovered point and the disaster") }
            let file = WALFileName.segment(timeline: timeline, number: number, segmentSize: segmentSize)
            switch readSegment(file) {
            case let .facts(facts):
                if let commit = facts.transactions.last(where: { $0.committed && $0.lsn > recovered && $0.lsn < disaster }) {
                    return .lastLost(commit)
                }
            case .empty, .notWAL where read == 0, .absent where read == 0:
                break  // Not written yet (see below).
            case .notWAL: return .unreadable("WAL segment \(file) is not readable WAL")
            case .absent: return .unreadable("WAL segment \(file) is neither archived nor in pg_wal any more")
            case .unreadable: return .unreadable("WAL segment \(file) could not be read")
            }
            // The disaster's own segment may not have reached its file yet: the
            // file is created, or a recycled one keeps its old first page,
            // until PostgreSQL writes the buffered records — none of them a
            // commit (commits are written at once, or within three
            // wal_writer_delay when asynchronous).
            read += 1
            if number == 0 { break }
            number -= 1
        }
        return .nothingLost
    }

    /// For a drill to a target time: the newest commit at or before `target`
    /// after the recovered point, reading forward (recovery should have
    /// replayed every one of them).
    public func lastCommit(after recovered: LSN, upTo target: Date, timeline: UInt32) -> Finding {
        var number = recovered.value / segmentSize
        var found: WALTransaction?
        for _ in 0..<segmentLimit {
            let file = WALFileName.segment(timeline: timeline, number: number, segmentSize: segmentSize)
            guard case let .facts(facts) = readSegment(file) else { break }
            for commit in facts.transactions where commit.committed && commit.lsn > recovered {
                if commit.time > target { return found.map { .lastLost($0) } ?? .nothingLost }
                found = commit
            }
            number += 1
        }
        return found.map { .lastLost($0) } ?? .nothingLost
    }
}

extension DataLossProbe {
    /// Segments from the archive first, then the source's `pg_wal`: the data
    /// directory when this process can read it, else `pg_read_binary_file`.
    public static func segmentSource(archive: WALArchive, archived: Set<WALFileName>, dataDirectory: String?,
                                     source: ConnectionParameters?, segmentSize: UInt64) -> SegmentSource {
        { file in
            if archived.contains(file), let found = try? Self.segment({ try archive.facts(of: file) }) { return found }
            if let dataDirectory, access(dataDirectory + "/pg_wal", R_OK | X_OK) == 0 {
                let path = dataDirectory + "/pg_wal/" + file.description
                guard let local = try? LocalFile.reading(path) else { return access(path, F_OK) == 0 ? .unreadable : .absent }
                defer { try? local.close() }
                // Scanned as it is read: a few pages in memory, not the segment.
                return (try? Self.segment {
                    try WALSegmentStream(capacity: Int(segmentSize)).facts(reading: { try local.read(into: $0) })
                }) ?? .unreadable
            }
            guard let source, let connection = try? PostgresConnection(source),
                  let result = try? connection.query("SELECT pg_read_binary_file($1, 0, $2, true)",
                                                              ["pg_wal/" + file.description, String(segmentSize)]) else {
                return .unreadable
            }
            guard result.rows.count == 1, result.columns.count == 1 else { return .unreadable }
            guard let hex = result.rows[0][0] else { return .absent }
            guard let bytes = Self.bytes(fromHex: hex) else { return .unreadable }
            return (try? Self.segment { try WALSegmentFacts(segment: bytes) }) ?? .unreadable
        }
    }

    /// What `read` finds: its facts, or what kind of file it read when that
    /// is not WAL. Errors other than the file's format are thrown.
    static func segment(_ read: () throws -> WALSegmentFacts) throws -> Segment {
        do {
            return .facts(try read())
        } catch WALFormatError.tooShort(_, actual: 0) {
            return .empty
        } catch is WALFormatError {
            return .notWAL
        }
    }

    /// PostgreSQL's `\x…` bytea text.
    static func bytes(fromHex text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2 - 1)
        var index = 2
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
