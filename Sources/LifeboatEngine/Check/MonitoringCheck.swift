import Foundation

/// `lifeboat check`: the server (`ServerCheck`) and the repository
/// (`RepositoryCheck`) with the policy's thresholds, as findings each with a
/// status and a hint, plus the metrics `--prometheus` writes. `now` is
/// injectable so that schedules can be judged at any moment.
public struct MonitoringCheck {
    public let policy: Policy
    public let now: Date

    public init(policy: Policy, now: Date) {
        self.policy = policy
        self.now = now
    }

    public func run() -> (report: CheckReport, metrics: CheckMetrics) {
        var metrics = CheckMetrics()
        var findings = ServerCheck(policy: policy).run(now: now, metrics: &metrics)
        findings += RepositoryCheck(policy: policy, now: now).run(into: &metrics)
        return (CheckReport(policy: policy.name, findings: findings), metrics)
    }
}
