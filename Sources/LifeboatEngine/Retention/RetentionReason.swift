/// Why a backup is kept. The raw values are what `prune` prints and puts in
/// its JSON.
public enum RetentionReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The policy has no `retention` section: nothing is pruned.
    case noRetention = "no_retention"
    /// Pinned by the operator.
    case pinned
    /// The newest backup of its type (so also the newest of all).
    case newest
    case keepLast = "keep_last"
    case keepHourly = "keep_hourly"
    case keepDaily = "keep_daily"
    case keepWeekly = "keep_weekly"
    case keepMonthly = "keep_monthly"
    case keepYearly = "keep_yearly"
    /// Needed so that every instant of the recovery window stays recoverable.
    case recoveryWindow = "recovery_window"

    public var description: String { rawValue }
}
