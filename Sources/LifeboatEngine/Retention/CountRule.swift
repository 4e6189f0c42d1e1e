import Foundation

/// A rule that keeps a number of backups of one type, walking from the newest
/// backup to the oldest, as restic's `forget --keep-*` does: `keep_last N`
/// keeps the N newest backups; a calendar rule keeps the newest backup of each
/// of the N most recent buckets that hold a backup. Each rule counts on its
/// own: a backup kept by one rule still uses up a count of another.
struct CountRule {
    let reason: RetentionReason
    let count: Int
    /// Nil for `keep_last`, where every backup is a bucket of its own.
    let bucket: CalendarBucket?

    /// The rules a retention section turns on (a count of zero is off).
    static func rules(from settings: RetentionSettings) -> [CountRule] {
        [
            CountRule(reason: .keepLast, count: settings.keepLast, bucket: nil),
            CountRule(reason: .keepHourly, count: settings.keepHourly, bucket: .hour),
            CountRule(reason: .keepDaily, count: settings.keepDaily, bucket: .day),
            CountRule(reason: .keepWeekly, count: settings.keepWeekly, bucket: .week),
            CountRule(reason: .keepMonthly, count: settings.keepMonthly, bucket: .month),
            CountRule(reason: .keepYearly, count: settings.keepYearly, bucket: .year),
        ].filter { $0.count > 0 }
    }

    /// Positions in `newestFirst` (backups of one type, newest first) of the
    /// backups this rule keeps.
    func keeps(_ newestFirst: [RetentionCandidate], calendar: Calendar) -> [Int] {
        guard let bucket else { return Array(newestFirst.indices.prefix(count)) }
        var seen: Set<[Int]> = []
        var kept: [Int] = []
        for (position, backup) in newestFirst.enumerated() {
            guard seen.count < count else { break }
            if seen.insert(bucket.key(of: backup.startedAt, in: calendar)).inserted {
                kept.append(position)
            }
        }
        return kept
    }
}
