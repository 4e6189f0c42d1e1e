import Foundation

/// `recovery_window`: point-in-time recovery stays possible to every instant
/// from the window's start to now that the archive can recover to at all.
///
/// Like Barman's and pgBackRest's time-based retention, it keeps
/// - the anchor: the newest usable physical backup consistent at or before
///   the window's start, and
/// - every usable physical backup consistent after the window's start (with
///   no usable backup before the window, that includes the oldest one).
///
/// The WAL from the anchor on stays because no kept physical backup's WAL is
/// deleted (see `RetentionPlan`). Keeping the backups inside the window, not
/// only the anchor, is what makes a longer window never keep fewer backups;
/// it also keeps restores inside the window short.
///
/// A backup is usable when every WAL segment it needs is archived. The rule
/// assumes, as PostgreSQL guarantees on one timeline, that WAL positions and
/// consistency times of backups increase together.
struct RecoveryWindowRule {
    /// `now − recovery_window`.
    let start: Date

    /// Positions in `physical` (physical backups, newest first) of the backups the rule keeps.
    func keeps(_ physical: [RetentionCandidate], wal: WALRuns) -> [Int] {
        var kept: [Int] = []
        var anchor: (position: Int, consistentAt: Date)?
        for (position, backup) in physical.enumerated() {
            guard let consistentAt = backup.consistentAt, let segments = backup.walSegments,
                  let reach = wal.reach(from: segments.lowerBound), reach >= segments.upperBound else { continue }
            if consistentAt > start {
                kept.append(position)
            } else if anchor.map({ $0.consistentAt < consistentAt }) ?? true {
                anchor = (position, consistentAt)
            }
        }
        if let anchor { kept.append(anchor.position) }
        return kept
    }
}
