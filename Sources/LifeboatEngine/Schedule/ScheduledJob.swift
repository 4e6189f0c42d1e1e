/// One job of the policy's `schedule:` section: when it runs, and the lifeboat
/// command line it runs.
public struct ScheduledJob: Sendable, Equatable {
    /// The jobs a policy can schedule, in the order the policy lists them.
    public enum Kind: String, Sendable, CaseIterable {
        case logical, physical, prune, drill, check, verify

        /// What the job does, for comments and unit descriptions.
        public var summary: String {
            switch self {
            case .logical: return "logical backup"
            case .physical: return "physical backup"
            case .prune: return "prune by the retention policy"
            case .drill: return "restore drill"
            case .check: return "check the cluster and archiving"
            case .verify: return "verify every backup"
            }
        }

        /// Backups, prune and verify yield the CPU and the disks to the database
        /// server; a drill does not, as it measures how fast a real restore is,
        /// nor does check, which is short and should run on time.
        var yieldsToServer: Bool {
            switch self {
            case .logical, .physical, .prune, .verify: return true
            case .drill, .check: return false
            }
        }

        /// The largest random delay a systemd timer adds before the job, in
        /// minutes: it spreads the load on a repository that several clusters
        /// share when their jobs are set for the same minute. Small beside a
        /// nightly period for backups and prune; larger for the weekly verify
        /// and the quarterly drill, whose exact minute matters to nobody; none
        /// for check, which runs every few minutes and feeds monitoring.
        var randomizedDelayMinutes: Int {
            switch self {
            case .logical, .physical, .prune: return 5
            case .verify, .drill: return 15
            case .check: return 0
            }
        }
    }

    public let kind: Kind
    public let cron: CronExpression
    /// The arguments after the lifeboat executable.
    public let arguments: [String]
}
