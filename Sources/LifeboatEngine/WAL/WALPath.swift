import Foundation
import Postgres

/// The archived WAL as recovery reads it: segment by segment along one
/// timeline's history — the newest in the archive (`recovery_target_timeline =
/// latest`) unless another is named. A segment that holds a timeline switch is
/// read from the newer timeline, as PostgreSQL does.
public struct WALPath: Sendable {
    public let segmentSize: UInt64
    /// The timeline recovery ends on.
    public let timeline: UInt32
    public let history: TimelineHistory?
    /// Archived complete segments.
    let segments: Set<WALFileName>

    /// `timeline` nil means the newest timeline in the archive.
    public init(entries: [WALArchive.Entry], segmentSize: UInt64, timeline: UInt32? = nil,
                history: (UInt32) throws -> TimelineHistory?) rethrows {
        self.segmentSize = segmentSize
        segments = Set(entries.map(\.file).filter { $0.kind == .segment })
        // Like PostgreSQL's findNewestTimeLine: follow history files 2, 3, … while they exist.
        let histories = Set(entries.filter { $0.file.kind == .timelineHistory }.map(\.file.timeline))
        var newest: UInt32 = 1
        while histories.contains(newest + 1) { newest += 1 }
        let chosen = timeline ?? newest
        self.timeline = chosen
        self.history = chosen > 1 ? try history(chosen) : nil
    }

    /// The timeline recovery reads segment `number` from.
    public func timeline(ofSegment number: UInt64) -> UInt32 {
        guard let history else { return timeline }
        return history.timeline(at: LSN((number + 1) * segmentSize - 1))
    }

    /// The timeline whose WAL holds `lsn` on this path.
    public func timeline(at lsn: LSN) -> UInt32 {
        history?.timeline(at: lsn) ?? timeline
    }

    public func file(_ number: UInt64) -> WALFileName {
        .segment(timeline: timeline(ofSegment: number), number: number, segmentSize: segmentSize)
    }

    public func isArchived(_ number: UInt64) -> Bool { segments.contains(file(number)) }

    /// The last segment number reachable from `start` without a gap (nil when `start` itself is missing).
    public func reach(from start: UInt64) -> UInt64? {
        guard isArchived(start) else { return nil }
        var number = start
        while isArchived(number + 1) { number += 1 }
        return number
    }

    /// The numbers of the segments recovery can read along this path, lowest first.
    public var archivedNumbers: [UInt64] {
        Set(segments.map { $0.number(segmentSize: segmentSize) }).filter { isArchived($0) }.sorted()
    }
}
