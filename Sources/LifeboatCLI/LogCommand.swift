import ArgumentParser
import Foundation
import LifeboatEngine
import Repository

/// `lifeboat log`: the run history and audit log.
struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show who ran what, when, and how it ended: the cluster's run history and audit log.",
        discussion: """
            Every backup, restore, verify, prune (dry runs too), pin, unpin, key add, remove, rotate and retire, \
            drill and init is recorded once the repository is open, failed runs included: start, end, duration, \
            outcome, exit code, error, backup and sizes, OS user, host and pid, and the command line (never a \
            secret). wal-push and wal-fetch are not recorded (one run per WAL segment), nor are commands that only \
            read. Records are sealed in the repository and never pruned; each holds the SHA-256 of the one written \
            before it, so a deleted or altered record breaks the chain.

            Times are in the policy's time_zone, oldest first. --verify checks the chain: exit 5 when a record is \
            missing, altered or unreadable; runs that were recorded concurrently are warnings. Without --verify a \
            broken chain is a warning on stderr.
            JSON: {"ok", "runs": [records, each with its "sha256"], "chain": {"intact", "records", "head", \
            "head_id", "findings": [{"severity", "record", "detail"}]}}; see runbooks/repository-format.md.
            """
    )

    @OptionGroup var policyOption: PolicyOption

    @Flag(name: .long, help: "Print one JSON document.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Show only the newest N runs.", valueName: "n"))
    var limit: Int?

    @Option(name: .long, help: ArgumentHelp("Show only runs of this command (backup, key, key rotate…).", valueName: "name"))
    var command: String?

    @Option(name: .long, help: ArgumentHelp("Show only runs started at or after this time (2026-11-01 00:00).", valueName: "time"))
    var since: String?

    @Flag(name: .long, help: "Check the hash chain of the records; exit 5 when it is broken.")
    var verify = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func run() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            var from: Date?
            if let since {
                guard let parsed = RecoveryTarget.parseTime(since, zone: policy.timeZone) else {
                    throw ValidationError("--since '\(since)' is not a time such as '2026-11-01 00:00'.")
                }
                from = parsed
            }
            let repository = try RepositoryAccess.unlock(policy)
            let contents = try RunHistory(repository: repository, cluster: policy.name).read()
            let chain = RunChain(contents)
            var shown = contents.entries.sorted { ($0.record.startedAt, $0.name) < ($1.record.startedAt, $1.name) }
            if let command { shown = shown.filter { $0.record.command == command || $0.record.command.hasPrefix(command + " ") } }
            if let from { shown = shown.filter { $0.record.startedAt >= from } }
            if let limit { shown = Array(shown.suffix(limit)) }

            if json {
                try Console.json(LogReport(ok: chain.intact, runs: shown.map(LogReport.Run.init), chain: chain))
            } else {
                render(shown, timeZone: policy.timeZone, cluster: policy.name)
                if verify { render(chain) }
            }
            if !chain.intact, !verify {
                Console.warning("the run history's hash chain is broken (\(chain.findings.filter { $0.severity == .error }.count) problem(s)); "
                    + "see lifeboat log --verify")
            }
            return verify && !chain.intact ? .integrity : .success
        }
    }

    private func render(_ entries: [RunHistory.Entry], timeZone: TimeZone, cluster: String) {
        guard !entries.isEmpty else {
            Console.line("no runs of \(cluster) recorded" + (command == nil && since == nil ? "" : " that match"))
            return
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let rows = entries.map { entry in
            let run = entry.record
            return [formatter.string(from: run.startedAt), run.command, run.outcome == .succeeded ? "ok" : "FAILED (\(run.exitCode))",
                    "\(run.user)@\(run.host)", DurationFormat.string(run.duration), Self.details(run), Self.oneLine(run.error ?? "")]
        }
        Table.print(header: ["TIME (\(timeZone.identifier))", "COMMAND", "OUTCOME", "BY", "DURATION", "DETAILS", "ERROR"], rows: rows)
    }

    private func render(_ chain: RunChain) {
        for finding in chain.findings {
            Console.line("\(finding.severity == .error ? "BROKEN " : "warning") \(finding.detail)")
        }
        if chain.intact {
            Console.line("chain intact: \(chain.records) record(s)" + (chain.head.map { ", newest \(chain.headID ?? "") sha256 \($0)" } ?? ""))
        } else {
            Console.line("chain BROKEN: \(chain.findings.filter { $0.severity == .error }.count) problem(s) in \(chain.records) readable record(s)")
        }
    }

    /// Backup, sizes, target and what the run did, in one cell.
    static func details(_ run: RunRecord) -> String {
        var parts: [String] = []
        if run.dryRun { parts.append("dry run") }
        if let target = run.target { parts.append(target) }
        if let id = run.backupID, run.target?.contains(id) != true { parts.append("backup \(id)") }
        if let type = run.type, run.command == "backup" || run.command == "restore" { parts.append(type) }
        if let size = run.sizeBytes { parts.append("\(ByteFormat.string(size)) read") }
        if let stored = run.storedBytes { parts.append("\(ByteFormat.string(stored)) stored") }
        if let details = run.details { parts.append(details) }
        return oneLine(parts.joined(separator: ", "))
    }

    /// Multi-line text (a program's stderr) on one line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " / ")
    }
}

/// `log --json`.
struct LogReport: Encodable {
    /// A record as stored, with the SHA-256 of its plaintext (what the next record's `previous` holds).
    struct Run: Encodable {
        let record: RunRecord
        let sha256: String

        init(_ entry: RunHistory.Entry) {
            var record = entry.record
            if record.id.isEmpty { record.id = entry.name }
            self.record = record
            sha256 = entry.sha256
        }

        func encode(to encoder: Encoder) throws {
            try record.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(sha256, forKey: .sha256)
        }

        enum Keys: String, CodingKey { case sha256 }
    }

    let ok: Bool
    let runs: [Run]
    let chain: RunChain
}
