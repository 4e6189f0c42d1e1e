import Foundation
import LifeboatEngine

/// A realistic quarter for the report renderers: four drills in 2026-Q4 — one
/// passed, one over its RTO target, one whose SQL check failed, one that
/// could not start the server (with an error full of markup) — and earlier
/// drills for the trend, backups, WAL, retention and findings.
enum ReportRenderingFixture {
    static let hostileError = "pg_ctl: could not start server <script>alert(\"pwned\")</script> & 'more' </td></table>"
    static let sqlCheckDetail = "SELECT count(*) FROM orders WHERE total < 0 | expected 0 rows, got 3"

    static func time(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
    }

    static func period(_ label: String, _ timeZone: TimeZone) -> ReportPeriod {
        ReportPeriod(parsing: label, timeZone: timeZone) ?? .quarter(containing: Date(timeIntervalSince1970: 0), timeZone: timeZone)
    }

    static func phases(_ fetch: Double, _ restore: Double, _ replay: Double?, _ verification: Double?) -> [DrillRecord.Phase] {
        [DrillRecord.Phase(name: "fetch_decrypt_decompress", seconds: fetch), DrillRecord.Phase(name: "restore", seconds: restore)]
            + (replay.map { [DrillRecord.Phase(name: "wal_replay", seconds: $0)] } ?? [])
            + (verification.map { [DrillRecord.Phase(name: "verification", seconds: $0)] } ?? [])
    }

    static let standardChecks = [
        DrillRecord.Check(name: "connect", passed: true, detail: "accepted connections after 3.1s"),
        DrillRecord.Check(name: "pg_amcheck", passed: true, detail: "412 relations, no corruption"),
        DrillRecord.Check(name: "row_counts", passed: true, detail: "orders 1,204,331 rows, customers 88,120 rows: as expected"),
    ]

    static func drill(id: String, started: String, backup: String, type: String, outcome: DrillRecord.Outcome,
                      error: String? = nil, rto: Double?, rpo: Double?, basis: DrillRecord.RPOMeasurement.Basis,
                      phases: [DrillRecord.Phase], checks: [DrillRecord.Check], target: String = "end of archive") -> DrillRecord {
        let start = time(started)
        let recovered = start.addingTimeInterval(-(rpo ?? 0))
        return DrillRecord(
            id: id, cluster: "lms", backupID: backup, backupType: type, startedAt: start,
            finishedAt: start.addingTimeInterval((rto ?? phases.reduce(0) { $0 + $1.seconds }) + 20), target: target,
            outcome: outcome, error: error, rtoSeconds: rto, rtoTargetSeconds: 900, rpoSeconds: rpo, rpoTargetSeconds: 300,
            rpo: DrillRecord.RPOMeasurement(
                basis: basis, recoveredTo: basis == .unknown ? nil : recovered,
                lastSourceCommit: (rpo ?? 0) > 0 ? start : nil, worstCaseSeconds: type == "physical" ? 60 : 86_400,
                worstCase: type == "physical" ? "archive_timeout is 1min" : "logical backups run daily at 03:30",
                detail: basis == .unknown ? "the source could not be reached to read its last commit"
                    : "read the source's WAL from the last archived segment up to the declared disaster"),
            phases: phases, checks: checks, runbooks: ["restore-latest-backup.md", "run-a-drill.md"],
            host: "drill-runner-1", lifeboatVersion: "0.1.0", serverVersion: outcome == .failed ? nil : "15.20")
    }

    static let drills: [DrillRecord] = [
        drill(id: "20261004T060000Z-8c1d", started: "2026-10-04T06:00:00Z", backup: "20261004T033000Z-3fa2", type: "physical",
              outcome: .passed, rto: 412.6, rpo: 0, basis: .measured, phases: phases(95.2, 201.4, 88.0, 28.0), checks: standardChecks),
        drill(id: "20261025T060000Z-1b7e", started: "2026-10-25T06:00:00Z", backup: "20261025T033000Z-77c0", type: "physical",
              outcome: .objectivesMissed, rto: 1330.4, rpo: 42, basis: .measured, phases: phases(310.5, 702.3, 281.6, 36.0),
              checks: standardChecks, target: "2026-10-25T05:30:00Z"),
        drill(id: "20261108T060000Z-c3d4", started: "2026-11-08T06:00:00Z", backup: "20261108T033000Z-9e11", type: "logical",
              outcome: .checksFailed, rto: 610, rpo: 180, basis: .bound, phases: phases(41.2, 530.8, nil, 38.0),
              checks: standardChecks + [DrillRecord.Check(name: "sql: negative order totals", passed: false, detail: sqlCheckDetail)]),
        drill(id: "20261122T060000Z-f00d", started: "2026-11-22T06:00:00Z", backup: "20261122T033000Z-3fa2", type: "physical",
              outcome: .failed, error: hostileError, rto: nil, rpo: nil, basis: .unknown, phases: phases(30.5, 12.0, nil, nil), checks: []),
    ]

    static let findings: [ReportFinding] = [
        ReportFinding(severity: .warning, title: "RTO over target on 2026-10-25", detail: "Recovery took 22m10s against a target of 15m.",
                      action: "Raise restore parallelism or take physical backups more often to shorten WAL replay.", runbook: "tune-restore-speed.md"),
        ReportFinding(severity: .problem, title: "Drill 20261122T060000Z-f00d could not start the server",
                      detail: hostileError, action: "Restore the latest backup by hand and read the server log.", runbook: "restore-latest-backup.md"),
        ReportFinding(severity: .problem, title: "SQL check failed on a restored logical backup", detail: sqlCheckDetail,
                      action: "Compare the failing query against production before trusting logical backups.", runbook: "verify-a-restore.md"),
        ReportFinding(severity: .info, title: "2 backups can be pruned", detail: "Retention would delete 2 backups.",
                      action: "Run lifeboat prune, or let the schedule do it.", runbook: nil),
    ]

    static func report(drills: [DrillRecord] = drills, findings: [ReportFinding] = findings, timeZone: String = "UTC") -> DRReport {
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0) ?? .current
        let periods = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"].map { period($0, zone) }
        let earlier = [
            TrendPoint(drillID: "20260208T060000Z-0a01", startedAt: time("2026-02-08T06:00:00Z"), rtoSeconds: 655, rpoSeconds: 0, passed: true),
            TrendPoint(drillID: "20260802T060000Z-0a02", startedAt: time("2026-08-02T06:00:00Z"), rtoSeconds: 702, rpoSeconds: 12, passed: true),
            TrendPoint(drillID: "20260906T060000Z-0a03", startedAt: time("2026-09-06T06:00:00Z"), rtoSeconds: nil, rpoSeconds: nil, passed: false),
        ]
        let current = drills.map { TrendPoint(drillID: $0.id, startedAt: $0.startedAt, rtoSeconds: $0.rtoSeconds, rpoSeconds: $0.rpoSeconds, passed: $0.passed) }
        return DRReport(
            cluster: "lms", period: periods[3], generatedAt: time("2026-12-31T18:00:00Z"), timeZone: timeZone,
            rtoTargetSeconds: 900, rpoTargetSeconds: 300, drills: drills, trendPeriods: periods, trend: earlier + current,
            backups: BackupActivity(
                taken: [BackupActivity.Taken(type: "logical", count: 91, sizeBytes: 412 * 1_073_741_824, storedBytes: 98 * 1_073_741_824,
                                             medianSeconds: 1_822, last: time("2026-12-31T03:30:00Z")),
                        BackupActivity.Taken(type: "physical", count: 13, sizeBytes: 1_950 * 1_073_741_824, storedBytes: 610 * 1_073_741_824,
                                             medianSeconds: 3_905, last: time("2026-12-27T02:00:00Z"))],
                failed: [BackupActivity.Failure(startedAt: time("2026-11-14T03:30:00Z"), type: "logical",
                                                error: "pg_dump: error: connection to server failed: FATAL: too many connections for role \"backup\"")]),
            wal: WALHealth(segmentsInPeriod: 11_482, storedBytesInPeriod: 57_982_058_496, firstSegment: "000000010000012A00000000",
                           lastSegment: "000000010000013C0000009F", lastArchivedAt: time("2026-12-31T17:59:12Z"),
                           gaps: ["0000000100000131000000A0–0000000100000131000000A2 (3 segments)"],
                           recoverableFrom: time("2026-12-20T02:00:00Z"), recoverableTo: time("2026-12-31T17:59:12Z")),
            retention: RetentionStatus(rules: "keep_last 3, keep_daily 7, keep_weekly 4, recovery_window 7d", backups: 17, pinned: 1,
                                       prunable: 2, oldestBackup: time("2026-11-30T02:00:00Z"), newestBackup: time("2026-12-31T03:30:00Z"),
                                       storedBytes: 1_204 * 1_073_741_824),
            findings: findings)
    }
}
