import Foundation
import LifeboatEngine

/// An oracle for property tests, written independently of the planner: the
/// instants point-in-time recovery can reach with some backups and some WAL.
/// Instant `t` is recoverable when a physical backup is consistent at or
/// before `t`, every segment it needs is archived, and WAL continues without
/// a gap from its start segment to a segment archived at or after `t`.
struct Recoverability {
    /// For each usable physical backup: consistent from, recoverable until.
    let spans: [(from: Date, until: Date)]

    init(backups: [RetentionCandidate], wal: [ArchivedSegment]) {
        var archivedAt: [UInt64: Date] = [:]
        for segment in wal { archivedAt[segment.number] = max(archivedAt[segment.number] ?? .distantPast, segment.archivedAt) }
        spans = backups.compactMap { backup in
            guard backup.type == .physical, let from = backup.consistentAt, let needed = backup.walSegments else { return nil }
            var number = needed.lowerBound
            var until = Date.distantPast
            while let time = archivedAt[number] {
                until = max(until, time)
                number += 1
            }
            return number > needed.upperBound ? (from, until) : nil
        }
    }

    func covers(_ instant: Date) -> Bool {
        spans.contains { $0.from <= instant && instant <= $0.until }
    }

    /// The instants where coverage can change, with their neighbours, within `range`.
    func probes(in range: ClosedRange<Date>) -> [Date] {
        let edges = [range.lowerBound, range.upperBound] + spans.flatMap { [$0.from, $0.until] }
        return edges.flatMap { [$0.addingTimeInterval(-0.5), $0, $0.addingTimeInterval(0.5)] }.filter(range.contains)
    }
}
