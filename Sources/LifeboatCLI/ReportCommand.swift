import ArgumentParser
import Foundation
import LifeboatEngine
import Repository

/// `lifeboat report`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the disaster-recovery report for a period, from the drill history in the repository.",
        discussion: """
            For auditors and managers: each drill of the period with its outcome, RTO and RPO against the targets \
            and its phases; the trend over this and the previous periods; backups taken and failed; WAL archive \
            health; retention; and what failed, with what to do and the runbook to follow. \
            --period: a quarter (2026-Q4, the default is the current one), a month (2026-11) or a year (2026), in the \
            policy's time_zone. --format html is one self-contained file (inline charts, no network) that prints on \
            A4; markdown pastes into a ticket; json is the report's data. The default format follows the --output \
            file's extension (.html, .json), else markdown.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case html, markdown, json }

    @OptionGroup var policyOption: PolicyOption

    @Option(name: .long, help: ArgumentHelp("The period: 2026-Q4, 2026-11 or 2026 (default: the current quarter).", valueName: "period"))
    var period: String?

    @Option(name: .long, help: "html, markdown or json.")
    var format: Format?

    @Option(name: .long, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    func run() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            let now = Date()
            let chosen: ReportPeriod
            if let period {
                guard let parsed = ReportPeriod(parsing: period, timeZone: policy.timeZone) else {
                    throw ValidationError("--period '\(period)' is not a period such as 2026-Q4, 2026-11 or 2026.")
                }
                chosen = parsed
            } else {
                chosen = ReportPeriod.quarter(containing: now, timeZone: policy.timeZone)
            }
            let repository = try RepositoryAccess.unlock(policy)
            let report = try DRReportBuilder(policy: policy, repository: repository, progress: ProgressDisplay.make(json: true))
                .make(period: chosen, now: now)
            let data = try render(report, as: format ?? Self.format(forOutput: output))
            if let output {
                try ReportFile.write(data, to: output)
            } else {
                FileHandle.standardOutput.write(data)
            }
            return .success
        }
    }

    static func format(forOutput output: String?) -> Format {
        switch (output.map { ($0 as NSString).pathExtension.lowercased() }) {
        case "html"?, "htm"?: return .html
        case "json"?: return .json
        default: return .markdown
        }
    }

    func render(_ report: DRReport, as format: Format) throws -> Data {
        switch format {
        case .html: return Data(HTMLReport.render(report).utf8)
        case .markdown: return Data(MarkdownReport.render(report).utf8)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            return try encoder.encode(report) + Data("\n".utf8)
        }
    }
}
