import ArgumentParser
import Dispatch
import ExternalProgram
import Foundation
import LifeboatEngine
import Repository

/// `lifeboat drill`.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Rehearse a disaster: restore a backup into a scratch cluster, verify it, and measure RTO and RPO.",
        discussion: """
            Declares a simulated disaster at its start. Restores the backup (default: the latest physical backup, else \
            the latest logical one) into a scratch cluster under drill.workspace, run as postgres.os_user on a free \
            port: a physical backup recovers through the WAL archived at the disaster (or to --target-time), a logical \
            one goes through pg_restore into a fresh initdb. Then pg_amcheck --heapallindexed on every database, the \
            policy's drill.checks, and row counts per table against the source. The scratch cluster is removed \
            afterwards, also on failure, Ctrl-C, SIGTERM, or SIGKILL (a guard process watches the drill).
            RTO: from the disaster to a verified, connectable database, in phases that add up to it. RPO: from the \
            last transaction recovered to the last one the source committed before the disaster, read from the WAL \
            (0 when nothing was lost). See runbooks/run-a-drill.md.
            The record is stored in the repository (for `lifeboat report`); --report-dir also writes \
            drill-<id>.json, .md and .html there.
            Exit 0 passed; 3 an objective was missed or a check failed; 1, 5 or 6 the drill could not restore.
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable { case logical, physical }

    @OptionGroup var policyOption: PolicyOption

    @Option(name: .long, help: "The backup to drill (an id, or latest).")
    var backup: String?

    @Option(name: .long, help: "Drill the latest backup of this type (default: physical when there is one).")
    var type: Kind?

    @Option(name: .customLong("target-time"), help: ArgumentHelp("Recover a physical backup to this time instead of the end of the archive.", valueName: "time"))
    var targetTime: String?

    @Option(name: .customLong("report-dir"), help: ArgumentHelp("Write the drill's JSON, Markdown and HTML report here.", valueName: "dir"))
    var reportDirectory: String?

    @Flag(name: .long, help: "Print the drill record as one JSON document.")
    var json = false

    func validate() throws {
        if backup != nil, type != nil { throw ValidationError("Give --backup or --type, not both.") }
    }

    func run() async throws {
        try await runCommand(recording: "drill") { run in
            let policy = try policyOption.load()
            var request = Drill.Request(backup: backup, type: type.map { $0 == .physical ? .physical : .logical })
            if let targetTime {
                guard let date = RecoveryTarget.parseTime(targetTime, zone: policy.timeZone) else {
                    throw ValidationError("--target-time '\(targetTime)' is not a time such as '2026-11-20 14:29:00+00'.")
                }
                request.targetTime = date
            }
            let teardown = DrillTeardown()
            let signals = InterruptHandlers(teardown: teardown)
            defer { signals.cancel() }
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            let result = Drill(policy: policy, progress: ProgressDisplay.make(json: json), executable: executable, teardown: teardown).run(request)
            let record = result.record
            if let repository = result.repository {
                do {
                    try DrillHistory(repository: repository, cluster: policy.name).store(record)
                } catch {
                    Console.warning("the drill record could not be stored in the repository: \(error.localizedDescription)")
                }
                run.attach(repository, cluster: policy.name)
                run.drillID = record.id
                if let id = record.backupID { run.backup(id, type: record.backupType) }
                run.target = "drill \(record.id)" + (record.backupID.map { " of backup \($0)" } ?? "")
                run.details = "\(record.outcome.rawValue), target \(record.target)"
                    + (record.rtoSeconds.map { ", RTO \(DurationFormat.precise($0))" } ?? "")
                    + (record.rpoSeconds.map { ", RPO \(DurationFormat.precise($0))" } ?? "")
                run.failure = record.passed ? nil : "drill \(record.outcome.rawValue)"
            }
            let files = try reportDirectory.map { try DrillReportFiles.write(record, into: $0, timeZone: policy.timeZone) } ?? []
            if json {
                try Console.json(record)
            } else {
                render(record, files: files)
            }
            if let error = result.error {
                run.failure = error.localizedDescription
                if !json { Console.error(error.localizedDescription) }
                throw ExitCode(LifeboatExit.code(for: error).rawValue)
            }
            return record.passed ? .success : .objectivesMissed
        }
    }

    private func render(_ record: DrillRecord, files: [String]) {
        func versus(_ value: Double?, _ target: Double?) -> String {
            let shown = value.map { DurationFormat.precise($0) } ?? "not measured"
            guard let target else { return shown }
            let met = value.map { $0 <= target } ?? false
            return "\(shown) (target \(DurationFormat.precise(target)): \(met ? "met" : "MISSED"))"
        }
        Console.line("drill \(record.id): backup \(record.backupID ?? "-") (\(record.backupType ?? "-")), target \(record.target): \(record.outcome.rawValue.uppercased())")
        guard record.outcome != .failed else { return }
        Console.line("  RTO \(versus(record.rtoSeconds, record.rtoTargetSeconds)): "
            + record.phases.map { "\($0.name) \(DurationFormat.precise($0.seconds))" }.joined(separator: ", "))
        Console.line("  RPO \(versus(record.rpoSeconds, record.rpoTargetSeconds)) [\(record.rpo?.basis.rawValue ?? "unknown")]; "
            + "worst case the settings allow: \(record.rpo?.worstCaseSeconds.map { DurationFormat.precise($0) } ?? "unbounded or unknown")")
        for check in record.checks {
            Console.line("  \(check.passed ? "ok    " : "FAILED")  \(check.name): \(check.detail)")
        }
        for file in files { Console.line("report: \(file)") }
    }
}

/// SIGINT and SIGTERM during a drill: remove the scratch cluster, then exit
/// with the shell's status for the signal.
final class InterruptHandlers {
    private var sources: [DispatchSourceSignal] = []

    init(teardown: DrillTeardown) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Console.error("interrupted by \(name); removing the scratch cluster")
                teardown.tearDownNow()
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// `lifeboat drill-guard`: removes a drill's scratch cluster once the drill
/// process is gone (started by `drill`; not for direct use).
struct DrillGuardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill-guard",
        abstract: "Remove a drill's scratch cluster when the drill ends (started by drill).",
        shouldDisplay: false
    )

    @Option(name: .long, help: "The drill's scratch directory.")
    var directory: String

    @Option(name: .customLong("pg-ctl"), help: "pg_ctl to stop the scratch server with.")
    var pgCtl: String?

    @Option(name: .customLong("os-user"), help: "The OS user the scratch server runs as.")
    var osUser: String?

    func run() async throws {
        Lifeline.waitForWatchedProcess()
        if FileManager.default.fileExists(atPath: directory) {
            ScratchCluster.tearDown(directory: directory, pgCtl: pgCtl, osUser: osUser)
        }
    }
}
