import ArgumentParser
import Foundation
import LifeboatEngine
import Repository

/// `lifeboat prune`.
struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete the backups and WAL the policy's retention no longer keeps.",
        discussion: """
            Keeps, per backup type: pinned backups, the newest backup, keep_last, and the newest backup of each of \
            the last keep_hourly hours, keep_daily days, keep_weekly ISO weeks, keep_monthly months and keep_yearly \
            years (calendar buckets in the policy's time_zone); for recovery_window, every physical backup needed so \
            that point-in-time recovery reaches every instant of the window, and the WAL from the oldest of them on.
            Without a retention section nothing is deleted. Then removes WAL no kept backup needs, and garbage of \
            crashed runs: backups that never got a manifest, at once (they were written under the lock prune holds), and \
            temporary files whose writer is gone (local repositories: nobody holds the file's lock) or older than an hour.
            Holds the cluster lock (a backup or drill running meanwhile makes prune exit 4, and the other way round).
            A backup stops existing when its manifest is deleted, before its data: a kill at any moment leaves \
            every kept backup restorable and only garbage behind, which the next prune removes.
            JSON: {"ok", "dry_run", "now", "kept": [{"id", "type", "started_at", "reasons"}], "deleted": [{"id", "type", \
            "started_at"}], "wal": {"kept_from", "deleted"}, "garbage"}.
            """
    )

    @OptionGroup var policyOption: PolicyOption

    @Flag(name: .customLong("dry-run"), help: "Show the plan; delete nothing.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Plan as if it were this time (2026-11-22 05:00:00+00).", valueName: "time"))
    var now: String?

    @Flag(name: .long, help: "Print one JSON document.")
    var json = false

    func run() async throws {
        try await runCommand(recording: "prune") { run in
            let policy = try policyOption.load()
            var at = Date()
            if let now {
                guard let parsed = RecoveryTarget.parseTime(now, zone: policy.timeZone) else {
                    throw ValidationError("--now '\(now)' is not a time such as '2026-11-22 05:00:00+00'.")
                }
                at = parsed
            }
            let repository = try RepositoryAccess.unlock(policy)
            run.attach(repository, cluster: policy.name)
            run.dryRun = dryRun
            if now != nil { run.target = "as of \(RFC3339.string(at))" }
            let outcome = try Pruner(policy: policy, repository: repository, progress: ProgressDisplay.make(json: json)).run(now: at, dryRun: dryRun)
            run.details = (dryRun ? "would delete" : "deleted") + " \(outcome.plan.deleted.count) backup(s)"
                + (outcome.plan.deleted.isEmpty ? "" : " (\(outcome.plan.deleted.map(\.id).joined(separator: ", ")))")
                + ", \(outcome.deletedWAL.count) WAL file(s), \(outcome.garbage.count) garbage item(s); kept \(outcome.plan.kept.count) backup(s)"
            let status: LifeboatExit = outcome.damaged.isEmpty ? .success : .integrity
            for damaged in outcome.damaged {
                Console.error(damaged.localizedDescription + "; prune keeps it and deletes no WAL until it is repaired or removed")
            }
            if !outcome.damaged.isEmpty { run.failure = "\(outcome.damaged.count) backup(s) with a damaged manifest" }
            if json {
                try Console.json(PruneReport(outcome, now: at))
                return status
            }
            let rows = outcome.plan.kept.map { kept in
                [kept.backup.id, kept.backup.type.rawValue, "keep", kept.reasons.map(\.rawValue).joined(separator: ", ")]
            } + outcome.plan.deleted.map { [$0.id, $0.type.rawValue, dryRun ? "would delete" : "deleted", ""] }
            if rows.isEmpty {
                Console.line("no backups of \(policy.name)")
            } else {
                Table.print(header: ["ID", "TYPE", "ACTION", "KEPT BY"], rows: rows.sorted { $0[0] > $1[0] })
            }
            let verb = dryRun ? "would delete" : "deleted"
            Console.line("WAL: \(verb) \(outcome.deletedWAL.count) file(s)"
                + (outcome.plan.walKeptFrom == nil ? "" : "; kept from the oldest kept physical backup's start on"))
            if !outcome.garbage.isEmpty { Console.line("garbage of crashed runs: \(verb) \(outcome.garbage.count) item(s)") }
            return status
        }
    }
}

/// `prune --json`.
struct PruneReport: Encodable {
    struct Backup: Encodable {
        let id: String
        let type: String
        let startedAt: Date
        let reasons: [String]?
        enum CodingKeys: String, CodingKey {
            case id, type, reasons
            case startedAt = "started_at"
        }
    }

    struct WAL: Encodable {
        let keptFrom: String?
        let deleted: [String]
        enum CodingKeys: String, CodingKey {
            case deleted
            case keptFrom = "kept_from"
        }
    }

    let ok: Bool
    let damaged: [String]
    let dryRun: Bool
    let now: Date
    let kept: [Backup]
    let deleted: [Backup]
    let wal: WAL
    let garbage: [String]

    init(_ outcome: Pruner.Outcome, now: Date) {
        ok = outcome.damaged.isEmpty
        damaged = outcome.damaged.map(\.id)
        dryRun = outcome.dryRun
        self.now = now
        kept = outcome.plan.kept.map { Backup(id: $0.backup.id, type: $0.backup.type.rawValue, startedAt: $0.backup.startedAt, reasons: $0.reasons.map(\.rawValue)) }
        deleted = outcome.plan.deleted.map { Backup(id: $0.id, type: $0.type.rawValue, startedAt: $0.startedAt, reasons: nil) }
        wal = WAL(keptFrom: outcome.walKeptFrom, deleted: outcome.deletedWAL)
        garbage = outcome.garbage
    }

    enum CodingKeys: String, CodingKey {
        case ok, now, kept, deleted, damaged, wal, garbage
        case dryRun = "dry_run"
    }
}
