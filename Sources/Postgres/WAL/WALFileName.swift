/// The name of a file PostgreSQL archives from `pg_wal`, parsed:
///
/// - a segment, `TTTTTTTTXXXXXXXXYYYYYYYY` (timeline, then the segment number
///   split into a "log" and a "segment in log" half, 24 upper-case hex digits);
/// - a partial segment left by a promotion, `<segment>.partial`;
/// - a backup history file, `<segment>.<offset 8 hex>.backup`;
/// - a timeline history file, `TTTTTTTT.history`.
public struct WALFileName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case segment, partial, backupHistory, timelineHistory
    }

    public let kind: Kind
    public let timeline: UInt32
    /// "log" and "segment in log" halves; zero for timeline history files.
    public let log: UInt32
    public let segmentInLog: UInt32
    /// The whole name as PostgreSQL wrote it.
    public let description: String

    /// Parses a bare file name (no directory); nil for anything else.
    public init?(_ name: String) {
        let hex = Set("0123456789ABCDEF")
        func hexNumber(_ text: Substring) -> UInt32? {
            guard text.count == 8, text.allSatisfy(hex.contains) else { return nil }
            return UInt32(text, radix: 16)
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 2, parts[1] == "history" {
            guard let timeline = hexNumber(parts[0]), timeline > 0 else { return nil }
            self.init(kind: .timelineHistory, timeline: timeline, log: 0, segmentInLog: 0, name: name)
            return
        }
        let base = parts[0]
        guard base.count == 24, let timeline = hexNumber(base.prefix(8)), timeline > 0,
              let log = hexNumber(base.dropFirst(8).prefix(8)), let segment = hexNumber(base.suffix(8)) else { return nil }
        switch parts.count {
        case 1: self.init(kind: .segment, timeline: timeline, log: log, segmentInLog: segment, name: name)
        case 2 where parts[1] == "partial": self.init(kind: .partial, timeline: timeline, log: log, segmentInLog: segment, name: name)
        case 3 where parts[2] == "backup" && hexNumber(parts[1]) != nil:
            self.init(kind: .backupHistory, timeline: timeline, log: log, segmentInLog: segment, name: name)
        default: return nil
        }
    }

    private init(kind: Kind, timeline: UInt32, log: UInt32, segmentInLog: UInt32, name: String) {
        self.kind = kind
        self.timeline = timeline
        self.log = log
        self.segmentInLog = segmentInLog
        description = name
    }

    /// The segment of `timeline` with absolute number `number` for `segmentSize`-byte segments.
    public static func segment(timeline: UInt32, number: UInt64, segmentSize: UInt64) -> WALFileName {
        let perLog = segmentsPerLog(segmentSize)
        return WALFileName(kind: .segment, timeline: timeline, log: UInt32(number / perLog), segmentInLog: UInt32(number % perLog),
                           name: hex8(timeline) + hex8(UInt32(number / perLog)) + hex8(UInt32(number % perLog)))
    }

    /// The segment of `timeline` that holds the byte at `lsn`.
    public static func segment(timeline: UInt32, containing lsn: LSN, segmentSize: UInt64) -> WALFileName {
        segment(timeline: timeline, number: lsn.value / segmentSize, segmentSize: segmentSize)
    }

    /// The history file of `timeline`, `TTTTTTTT.history`.
    public static func history(timeline: UInt32) -> WALFileName {
        WALFileName(kind: .timelineHistory, timeline: timeline, log: 0, segmentInLog: 0, name: hex8(timeline) + ".history")
    }

    /// The absolute segment number (segments since LSN 0).
    public func number(segmentSize: UInt64) -> UInt64 {
        UInt64(log) * Self.segmentsPerLog(segmentSize) + UInt64(segmentInLog)
    }

    /// The first LSN of this segment.
    public func startLSN(segmentSize: UInt64) -> LSN { LSN(number(segmentSize: segmentSize) * segmentSize) }

    /// The segment after this one on the same timeline.
    public func next(segmentSize: UInt64) -> WALFileName {
        Self.segment(timeline: timeline, number: number(segmentSize: segmentSize) + 1, segmentSize: segmentSize)
    }

    /// The 24-character segment part (for `.partial` and `.backup` files too).
    public var segmentName: String { String(description.prefix(24)) }

    static func segmentsPerLog(_ segmentSize: UInt64) -> UInt64 { 0x1_0000_0000 / segmentSize }

    static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Timeline first, then position, then the name.
    public static func < (lhs: WALFileName, rhs: WALFileName) -> Bool {
        (lhs.timeline, lhs.log, lhs.segmentInLog, lhs.description) < (rhs.timeline, rhs.log, rhs.segmentInLog, rhs.description)
    }
}
