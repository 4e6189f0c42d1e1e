import Foundation
import Postgres

/// One archived WAL segment as retention sees it: its absolute number and when
/// it reached the repository.
///
/// Simplification: retention plans one timeline at a time. Segment numbers
/// carry no timeline, so a history that switched timelines is planned as if
/// its WAL were one line; files of other timelines, `.partial` segments and
/// history files are left alone. Timeline-aware planning (following
/// `WALPath`) is a follow-up.
public struct ArchivedSegment: Sendable, Hashable {
    public var number: UInt64
    /// Time the segment was archived: no WAL record in it is later than this.
    public var archivedAt: Date

    public init(number: UInt64, archivedAt: Date) {
        self.number = number
        self.archivedAt = archivedAt
    }

    /// The complete segments of `timeline` among the archive's entries.
    public static func segments(of entries: [WALArchive.Entry], timeline: UInt32, segmentSize: UInt64) -> [ArchivedSegment] {
        entries.compactMap { entry in
            guard entry.file.kind == .segment, entry.file.timeline == timeline else { return nil }
            return ArchivedSegment(number: entry.file.number(segmentSize: segmentSize), archivedAt: entry.archivedAt)
        }
    }
}
