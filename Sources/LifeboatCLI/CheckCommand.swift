import ArgumentParser
import LifeboatEngine

/// `lifeboat check`: is the cluster reachable and set up for what the policy asks?
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that the cluster is reachable and configured for the policy.",
        discussion: "Exits 3 when any finding is a problem, 2 when the policy itself is invalid."
    )

    @OptionGroup var policyOption: PolicyOption

    @Flag(name: .long, help: "Print one JSON document: {\"ok\", \"policy\", \"findings\": [{\"name\", \"status\", \"detail\", \"hint\"}]}.")
    var json = false

    func run() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            let report = ServerCheck(policy: policy).run()
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
