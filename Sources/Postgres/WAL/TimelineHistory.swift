import Foundation

/// A timeline history file (`00000002.history`): for each ancestor timeline,
/// the LSN at which the next one branched off it. PostgreSQL writes one line per
/// ancestor, oldest first: `1\t0/5000000\tno recovery target specified`.
public struct TimelineHistory: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// The ancestor timeline.
        public var timeline: UInt32
        /// Where it ended: WAL of `timeline` at or past this LSN does not lead to this history's timeline.
        public var switchLSN: LSN
    }

    /// The timeline this file describes.
    public var timeline: UInt32
    /// Ancestors, oldest first.
    public var ancestors: [Entry]

    /// Parses the file's text; nil when a line is malformed. Comment and blank lines are skipped.
    public init?(timeline: UInt32, text: String) {
        var entries: [Entry] = []
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= 2, let parent = UInt32(fields[0]), let lsn = LSN(String(fields[1])) else { return nil }
            entries.append(Entry(timeline: parent, switchLSN: lsn))
        }
        self.timeline = timeline
        ancestors = entries
    }

    /// The timeline that holds the WAL at `lsn` on the way to this history's timeline.
    public func timeline(at lsn: LSN) -> UInt32 {
        for entry in ancestors where lsn < entry.switchLSN { return entry.timeline }
        return timeline
    }
}
