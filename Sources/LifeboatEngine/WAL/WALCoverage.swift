import Foundation
import Postgres

/// What the archive holds per timeline: first and last segment, count, and
/// the gaps — runs of missing segments between a timeline's first and last.
/// Recovery cannot cross a gap, so every gap is a problem to report.
public struct WALCoverage: Sendable, Equatable {
    public struct Timeline: Codable, Sendable, Equatable {
        public var timeline: UInt32
        public var first: String
        public var last: String
        public var segments: Int
        public var storedBytes: Int64

        enum CodingKeys: String, CodingKey {
            case timeline, first, last, segments
            case storedBytes = "stored_bytes"
        }
    }

    public struct Gap: Codable, Sendable, Equatable, CustomStringConvertible {
        public var timeline: UInt32
        /// First and last missing segment.
        public var from: String
        public var to: String
        public var missing: Int

        public var description: String { missing == 1 ? from : "\(from)–\(to) (\(missing) segments)" }
    }

    public var timelines: [Timeline]
    public var gaps: [Gap]

    /// The oldest and the newest archived segment.
    public var first: String? { timelines.first?.first }
    public var last: String? { timelines.last?.last }

    /// Per-timeline coverage and gaps, plus, when `path` is given, the gaps
    /// along the path recovery follows across timeline switches.
    public init(entries: [WALArchive.Entry], segmentSize: UInt64, path: WALPath? = nil) {
        var timelines: [Timeline] = []
        var gaps: [Gap] = []
        let segments = entries.filter { $0.file.kind == .segment }
        for timeline in Set(segments.map(\.file.timeline)).sorted() {
            let own = segments.filter { $0.file.timeline == timeline }.sorted { $0.file < $1.file }
            guard let first = own.first, let last = own.last else { continue }
            timelines.append(Timeline(timeline: timeline, first: first.file.description, last: last.file.description,
                                      segments: own.count, storedBytes: own.reduce(0) { $0 + $1.storedBytes }))
            var expected = first.file.number(segmentSize: segmentSize)
            for entry in own {
                let number = entry.file.number(segmentSize: segmentSize)
                if number > expected {
                    gaps.append(Gap(timeline: timeline,
                                    from: WALFileName.segment(timeline: timeline, number: expected, segmentSize: segmentSize).description,
                                    to: WALFileName.segment(timeline: timeline, number: number - 1, segmentSize: segmentSize).description,
                                    missing: Int(number - expected)))
                }
                expected = number + 1
            }
        }
        if let path {
            let numbers = path.archivedNumbers
            if let low = numbers.first, let high = numbers.last, low < high {
                var start: UInt64?
                for number in low...high {
                    if !path.isArchived(number) {
                        if start == nil { start = number }
                    } else if let first = start {
                        let gap = Gap(timeline: path.timeline(ofSegment: first), from: path.file(first).description,
                                      to: path.file(number - 1).description, missing: Int(number - first))
                        if !gaps.contains(where: { $0.from == gap.from }) { gaps.append(gap) }
                        start = nil
                    }
                }
            }
        }
        self.timelines = timelines
        self.gaps = gaps
    }
}
