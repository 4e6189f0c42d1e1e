import ArgumentParser
import Foundation
import LifeboatEngine

/// `lifeboat check`: is the cluster reachable and set up for what the policy asks?
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the cluster, its archiving, backups, drills and repository against the policy (for monitoring).",
        discussion: """
            The server: reachable; wal_level, archive_mode, and an archive_command that runs lifeboat wal-push with \
            this policy; archive_timeout within the RPO target; the archiver not failing, and no completed WAL segment \
            waiting longer than the RPO target; the listed databases; PostgreSQL programs of a fitting version.
            The repository: the keys unlock it; it can be written; each scheduled backup type has a backup younger \
            than its schedule allows (the longest gap between runs, plus a tenth of it, at least an hour); the newest \
            backup's size is within half to twice the recent median; the last drill passed and is as recent as \
            schedule.drill allows; no gap in the archived WAL.
            Each finding has a status (ok, warning, problem) and a hint. Exits 3 when any finding is a problem, 2 when \
            the policy itself is invalid. --prometheus FILE also writes node_exporter textfile metrics (lifeboat_*), \
            atomically.
            """
    )

    @OptionGroup var policyOption: PolicyOption

    @Flag(name: .long, help: "Print one JSON document: {\"ok\", \"policy\", \"findings\": [{\"name\", \"status\", \"detail\", \"hint\"}]}.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Also write Prometheus metrics here (node_exporter's textfile collector).", valueName: "file"))
    var prometheus: String?

    @Option(name: .long, help: ArgumentHelp("Judge schedules as if it were this time (RFC 3339).", valueName: "time"))
    var now: String?

    func run() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            var moment = Date()
            if let now {
                guard let parsed = RecoveryTarget.parseTime(now, zone: policy.timeZone) else {
                    throw ValidationError("--now '\(now)' is not a time such as 2026-11-22T06:00:00Z.")
                }
                moment = parsed
            }
            let (report, metrics) = MonitoringCheck(policy: policy, now: moment).run()
            if let prometheus {
                try PrometheusTextfile.write(PrometheusTextfile.render(metrics, report: report, policy: policy, now: moment), to: prometheus)
            }
            if json {
                try Console.json(report)
            } else {
                render(report, file: policy.file)
            }
            return report.ok ? .success : .objectivesMissed
        }
    }

    private func render(_ report: CheckReport, file: String) {
        Console.line("lifeboat check: policy \(report.policy) (\(file))")
        let width = report.findings.map(\.name.count).max() ?? 0
        for finding in report.findings {
            let label: String
            switch finding.status {
            case .ok: label = "ok     "
            case .warning: label = "WARNING"
            case .problem: label = "PROBLEM"
            }
            Console.line("  \(label)  \(finding.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(finding.detail)")
            if let hint = finding.hint {
                Console.line("  \(String(repeating: " ", count: 9 + width))  hint: \(hint)")
            }
        }
        let problems = report.findings.filter { $0.status == .problem }.count
        Console.line(problems == 0 ? "all checks passed" : "\(problems) problem\(problems == 1 ? "" : "s") found")
    }
}
