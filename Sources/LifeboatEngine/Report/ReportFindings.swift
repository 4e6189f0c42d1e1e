import Foundation
import Repository

/// What the DR report flags, with what to do: drills that did not pass, a
/// period without a passing drill, failed backups, a scheduled backup type
/// with nothing recent, WAL gaps, a worst-case RPO over the target, and
/// backups retention would delete.
enum ReportFindings {
    static func make(_ report: DRReport, policy: Policy, latestBackups manifests: [BackupManifest], now: Date) -> [ReportFinding] {
        var findings: [ReportFinding] = []
        for drill in report.drills where !drill.passed {
            findings.append(drillFinding(drill))
        }
        if !report.drills.contains(where: \.passed) {
            let none = report.drills.isEmpty
            findings.append(.init(severity: .problem, title: none ? "No restore drill in \(report.period)" : "No drill passed in \(report.period)",
                                  detail: none ? "Nothing shows that the backups of this period can be restored within the objectives."
                                               : "Every drill of the period failed or missed an objective.",
                                  action: "Run `lifeboat drill` and fix what it reports; schedule it (schedule.drill) so every period has one.",
                                  runbook: "run-a-drill.md"))
        }
        if !report.backups.failed.isEmpty {
            let types = Set(report.backups.failed.map(\.type)).sorted().joined(separator: ", ")
            let last = report.backups.failed.last.map { " The last: \($0.error)" } ?? ""
            findings.append(.init(severity: .warning, title: "\(report.backups.failed.count) backup run(s) failed (\(types))",
                                  detail: "Backup runs in the period ended without a backup.\(last)",
                                  action: "Read the error, fix its cause, and check that the next scheduled backup succeeds (`lifeboat list`).",
                                  runbook: nil))
        }
        for (type, schedule) in [("logical", policy.schedule.logical), ("physical", policy.schedule.physical)] {
            guard let schedule else { continue }
            let newest = manifests.filter { $0.type.rawValue == type }.map(\.startedAt).max()
            let allowed = Double(schedule.longestGap.seconds) * 1.5
            if newest.map({ now.timeIntervalSince($0) > allowed }) ?? true {
                findings.append(.init(severity: .problem, title: "No recent \(type) backup",
                                      detail: newest.map { "The newest \(type) backup started \(DurationFormat.string(now.timeIntervalSince($0))) ago; "
                                          + "schedule.\(type) '\(schedule)' runs at least every \(schedule.longestGap)." }
                                          ?? "schedule.\(type) is '\(schedule)' but the repository holds no \(type) backup.",
                                      action: "Check the cron job or timer that runs `lifeboat backup --type \(type)` and its last error.",
                                      runbook: nil))
            }
        }
        if !report.wal.gaps.isEmpty {
            findings.append(.init(severity: .problem, title: "Gaps in the WAL archive",
                                  detail: "Missing: \(report.wal.gaps.joined(separator: "; ")). Point-in-time recovery cannot cross a gap.",
                                  action: "Take a physical backup now (recovery can start after the gap), then find why archiving skipped segments.",
                                  runbook: "corrupted-repository.md"))
        }
        // The best recovery path drilled decides what the settings allow: WAL archiving when a physical backup was drilled.
        let measured = report.drills.filter { $0.rpo != nil }
        if let drill = measured.last(where: { $0.backupType == "physical" }) ?? measured.last, let rpo = drill.rpo,
           let target = report.rpoTargetSeconds,
           rpo.worstCaseSeconds.map({ $0 > target }) ?? true {
            findings.append(.init(severity: .warning, title: "The settings allow more data loss than the RPO target",
                                  detail: "Worst case: \(rpo.worstCaseSeconds.map { DurationFormat.precise($0) } ?? "unbounded"), "
                                      + "target \(DurationFormat.precise(target)): \(rpo.worstCase).",
                                  action: "Lower archive_timeout (physical) or back up more often (logical) until the worst case is within the target.",
                                  runbook: "run-a-drill.md"))
        }
        if report.retention.prunable > 0 {
            findings.append(.init(severity: .info, title: "\(report.retention.prunable) backup(s) past retention",
                                  detail: "The retention rules (\(report.retention.rules)) no longer keep them.",
                                  action: "Make sure `lifeboat prune` runs (schedule.prune); `lifeboat prune --dry-run` shows what it would delete.",
                                  runbook: nil))
        }
        return findings.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(\.element)
    }

    static func drillFinding(_ drill: DrillRecord) -> ReportFinding {
        let when = RFC3339Day.string(drill.startedAt)
        switch drill.outcome {
        case .failed:
            return .init(severity: .problem, title: "Drill \(drill.id) (\(when)) could not restore", detail: drill.error ?? "failed",
                         action: "Restore the same backup by hand following the runbook, fix the cause, and run the drill again.",
                         runbook: "restore-latest-backup.md")
        case .checksFailed:
            let failed = drill.checks.filter { !$0.passed }.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")
            return .init(severity: .problem, title: "Drill \(drill.id) (\(when)): verification failed", detail: failed,
                         action: "A restored database that fails its checks is not a backup to rely on: investigate the source and "
                             + "take a new backup; verify the repository (`lifeboat verify --all`).",
                         runbook: "corrupted-repository.md")
        case .objectivesMissed:
            var missed: [String] = []
            if drill.rtoMet == false { missed.append("RTO \(drill.rtoSeconds.map { DurationFormat.precise($0) } ?? "-") over the target \(drill.rtoTargetSeconds.map { DurationFormat.precise($0) } ?? "-")") }
            if drill.rpoMet == false { missed.append("RPO \(drill.rpoSeconds.map { DurationFormat.precise($0) } ?? "-") over the target \(drill.rpoTargetSeconds.map { DurationFormat.precise($0) } ?? "-")") }
            let slowest = drill.phases.max { $0.seconds < $1.seconds }.map { " The longest phase was \($0.name) (\(DurationFormat.precise($0.seconds)))." } ?? ""
            return .init(severity: .problem, title: "Drill \(drill.id) (\(when)) missed its objectives",
                         detail: missed.joined(separator: "; ") + "." + slowest,
                         action: "Shorten the longest phase (more frequent physical backups shorten WAL replay; more postgres.jobs speeds "
                             + "fetching) or lower archive_timeout for the RPO; or agree a realistic target.",
                         runbook: "run-a-drill.md")
        case .passed:
            return .init(severity: .info, title: "Drill \(drill.id) passed", detail: "", action: "", runbook: nil)
        }
    }
}

/// `2026-11-22` in UTC, for titles.
enum RFC3339Day {
    static func string(_ date: Date) -> String { String(RFC3339.string(date).prefix(10)) }
}
