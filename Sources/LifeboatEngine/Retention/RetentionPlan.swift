import Foundation

/// What `prune` removes: which backups stay (and the rules that keep each),
/// which go, and which archived WAL segments go.
///
/// A pure function of the backups, the archived WAL, the retention settings,
/// the time zone and the current time — no I/O, no clock.
///
/// - Without a retention section every backup stays and no WAL goes.
/// - Pinned backups and the newest backup of each type stay.
/// - `keep_*` rules count logical and physical backups separately
///   (`CountRule`); `recovery_window` looks at physical backups only
///   (`RecoveryWindowRule`).
/// - WAL older than the first segment any kept physical backup needs is
///   deleted; everything from there on stays, gaps and all. No WAL is
///   deleted when there is no physical backup (logical backups need none, but
///   without a base backup nothing says which WAL is stale), nor when a kept
///   physical backup's segments are unknown (it might need any of it).
public struct RetentionPlan: Sendable, Equatable {
    /// A backup that stays, with every rule that keeps it (never empty, in
    /// `RetentionReason.allCases` order).
    public struct Kept: Sendable, Equatable {
        public var backup: RetentionCandidate
        public var reasons: [RetentionReason]
    }

    /// Newest first.
    public var kept: [Kept]
    /// Newest first.
    public var deleted: [RetentionCandidate]
    /// Archived segment numbers to delete, ascending.
    public var deletedWAL: [UInt64]
    /// The first segment kept WAL must start from: the lowest start segment of
    /// the kept physical backups (nil when no WAL is deleted for one of the reasons above).
    public var walKeptFrom: UInt64?

    public static func make(backups: [RetentionCandidate], wal: [ArchivedSegment], settings: RetentionSettings?,
                            timeZone: TimeZone, now: Date) -> RetentionPlan {
        var reasons = Array(repeating: Set<RetentionReason>(), count: backups.count)
        let order = backups.indices.sorted { isNewer(backups[$0], $0, than: backups[$1], $1) }

        for index in order {
            if settings == nil { reasons[index].insert(.noRetention) }
            if backups[index].pinned { reasons[index].insert(.pinned) }
        }
        let calendar = CalendarBucket.calendar(in: timeZone)
        for type in BackupManifest.BackupType.allCases {
            let ofType = order.filter { backups[$0].type == type }
            if let newest = ofType.first { reasons[newest].insert(.newest) }
            for rule in settings.map(CountRule.rules) ?? [] {
                for position in rule.keeps(ofType.map { backups[$0] }, calendar: calendar) {
                    reasons[ofType[position]].insert(rule.reason)
                }
            }
        }
        if let window = settings?.recoveryWindow {
            let physical = order.filter { backups[$0].type == .physical }
            let rule = RecoveryWindowRule(start: now.addingTimeInterval(-TimeInterval(window.seconds)))
            for position in rule.keeps(physical.map { backups[$0] }, wal: WALRuns(wal)) {
                reasons[physical[position]].insert(.recoveryWindow)
            }
        }

        let kept = order.filter { !reasons[$0].isEmpty }.map { index in
            Kept(backup: backups[index], reasons: RetentionReason.allCases.filter(reasons[index].contains))
        }
        let keptPhysical = kept.map(\.backup).filter { $0.type == .physical }
        let walKeptFrom = settings == nil || keptPhysical.contains { $0.walSegments == nil } ? nil
            : keptPhysical.compactMap { $0.walSegments?.lowerBound }.min()
        let deletedWAL = walKeptFrom.map { first in Set(wal.map(\.number).filter { $0 < first }).sorted() } ?? []
        return RetentionPlan(kept: kept, deleted: order.filter { reasons[$0].isEmpty }.map { backups[$0] },
                             deletedWAL: deletedWAL, walKeptFrom: walKeptFrom)
    }

    /// Newest first: by start time, then id; input position settles exact ties.
    private static func isNewer(_ a: RetentionCandidate, _ aIndex: Int, than b: RetentionCandidate, _ bIndex: Int) -> Bool {
        if a.startedAt != b.startedAt { return a.startedAt > b.startedAt }
        if a.id != b.id { return a.id > b.id }
        return aIndex < bIndex
    }
}
