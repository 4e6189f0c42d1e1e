import ExternalProgram
import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// `lifeboat check` as the monitoring check, each condition made real: a
/// healthy cluster, a backup older than its schedule (an injected clock), a
/// deleted WAL object, a failing archiver; and the Prometheus textfile read
/// back with Prometheus' own parser (python's prometheus_client).
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "archive_timeout": "'60s'", "timezone": "'UTC'"]), .serialized)
struct MonitoringCheckTests {
    struct Report: Decodable {
        struct Finding: Decodable { let name: String; let status: String; let detail: String; let hint: String? }
        let ok: Bool
        let findings: [Finding]
        func status(_ name: String) -> String? { findings.first { $0.name == name }?.status }
    }

    func fixture(_ server: TestPostgres) throws -> PhysicalFixture {
        try PhysicalFixture(server: server, extra: "\n  data_directory: \(server.dataDirectory)", sections: """
            objectives:
              rto: 15m
              rpo: 5m
            schedule:
              physical: "30 3 * * *"
              drill: "0 6 1 1,4,7,10 *"
            drill:
              workspace: /tmp/lifeboat-monitoring-test-\(getpid())
              checks: []
            """)
    }

    func check(_ fixture: PhysicalFixture, _ arguments: [String] = []) throws -> (status: Int32, report: Report) {
        let result = try fixture.lifeboat(["check", "--json"] + arguments)
        return (result.status, try JSONDecoder().decode(Report.self, from: Data(result.out.utf8)))
    }

    /// The textfile parsed by prometheus_client: metric name → [(labels, value)].
    func parseMetrics(_ path: String) throws -> [String: [(labels: [String: String], value: Double)]] {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    out.setdefault(s.name, []).append({"labels": s.labels, "value": s.value})
            print(json.dumps(out))
            """
        let python = try #require(ExecutableLocator.onPath("python3"))
        let result = try ProgramRunner.run(Program(python, ["-c", script, path]))
        struct Sample: Decodable { let labels: [String: String]; let value: Double }
        let decoded = try JSONDecoder().decode([String: [Sample]].self, from: result.stdout)
        return decoded.mapValues { $0.map { ($0.labels, $0.value) } }
    }

    @Test func aHealthyClusterPassesAndItsMetricsParse() throws {
        let server = try TestPostgres.require()
        let fixture = try fixture(server)
        defer { fixture.dir.remove() }
        let backupID = try fixture.backup()
        #expect(try fixture.lifeboat(["drill"]).status == 0)

        let metrics = fixture.dir.appending("lifeboat.prom")
        let (status, report) = try check(fixture, ["--prometheus", metrics])
        #expect(status == 0, "\(report.findings.filter { $0.status != "ok" })")
        for name in ["repository keys", "repository writable", "last physical backup", "last drill", "wal archive", "archive lag"] {
            #expect(report.status(name) == "ok", "\(name): \(report.findings.first { $0.name == name }?.detail ?? "missing")")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: metrics)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)

        let parsed = try parseMetrics(metrics)
        let backup = try #require(parsed["lifeboat_last_backup_timestamp_seconds"]?.first)
        #expect(backup.labels == ["cluster": "lms", "type": "physical"])
        let list = try fixture.lifeboat(["list", "--json"])
        #expect(list.out.contains(backupID))
        #expect(abs(backup.value - Date().timeIntervalSince1970) < 600)
        #expect(parsed["lifeboat_check_ok"]?.first?.value == 1)
        #expect(parsed["lifeboat_check_problems"]?.first?.value == 0)
        #expect(parsed["lifeboat_last_drill_passed"]?.first?.value == 1)
        #expect((parsed["lifeboat_last_drill_rto_seconds"]?.first?.value ?? 0) > 0)
        #expect(parsed["lifeboat_rpo_target_seconds"]?.first?.value == 300)
        #expect((parsed["lifeboat_repository_bytes"]?.first?.value ?? 0) > 1_000_000)
        #expect(parsed["lifeboat_wal_archive_gaps"]?.first?.value == 0)
        #expect(parsed["lifeboat_wal_archive_lag_segments"]?.first?.value == 0)
        #expect(parsed["lifeboat_check_finding_ok"]?.contains { $0.labels["check"] == "archive_command" && $0.value == 1 } == true)

        // Two days on, the daily backup is overdue: a problem, and the metrics say so.
        let later = RFC3339Text.string(Date().addingTimeInterval(2 * 86_400))
        let (lateStatus, late) = try check(fixture, ["--now", later, "--prometheus", metrics])
        #expect(lateStatus == 3)
        #expect(late.status("last physical backup") == "problem")
        #expect(try parseMetrics(metrics)["lifeboat_check_ok"]?.first?.value == 0)
    }

    @Test func aDeletedWALObjectIsAProblem() throws {
        let server = try TestPostgres.require()
        let fixture = try fixture(server)
        defer { fixture.dir.remove() }
        _ = try fixture.backup()
        let db = try server.connect()
        try db.query("CREATE TABLE IF NOT EXISTS wal_churn (x int)")
        for round in 0..<3 {
            try db.query("INSERT INTO wal_churn VALUES (\(round))")
            try fixture.archiveCurrentWAL(on: db)
        }
        let walDirectory = fixture.dir.appending("repo/lms/wal/00000001")
        let segments = try FileManager.default.contentsOfDirectory(atPath: walDirectory).filter { $0.count == 24 }.sorted()
        try #require(segments.count >= 3)
        try FileManager.default.removeItem(atPath: walDirectory + "/" + segments[segments.count - 2])
        let (status, report) = try check(fixture)
        #expect(status == 3)
        #expect(report.status("wal archive") == "problem")
        #expect(report.findings.first { $0.name == "wal archive" }?.detail.contains(segments[segments.count - 2]) == true)
    }

    @Test func aFailingArchiverIsAProblem() throws {
        let server = try TestPostgres.require()
        let fixture = try fixture(server)
        defer { fixture.dir.remove() }
        _ = try fixture.backup()
        try fixture.setArchiveCommand("/bin/false")
        defer { try? fixture.setArchiveCommand("\(LifeboatBinary.path) wal-push --policy \(fixture.policy) %p") }
        let db = try server.connect()
        try db.query("SELECT pg_switch_wal()")
        try db.query("CREATE TABLE IF NOT EXISTS churn AS SELECT 1 AS x")
        try db.query("SELECT pg_switch_wal()")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, (try db.query("SELECT failed_count FROM pg_stat_archiver").scalar() ?? "0") == "0" { usleep(200_000) }
        let (status, report) = try check(fixture)
        #expect(status == 3)
        #expect(report.status("archiver") == "problem")
        // An hour on, the waiting segments are older than the RPO target.
        let (_, later) = try check(fixture, ["--now", RFC3339Text.string(Date().addingTimeInterval(3600))])
        #expect(later.status("archive lag") == "problem", "\(later.findings.first { $0.name == "archive lag" }?.detail ?? "")")
    }

    @Test func aBackupFarFromTheRecentMedianIsAWarning() throws {
        let server = try TestPostgres.require()
        let fixture = try fixture(server)
        defer { fixture.dir.remove() }
        let db = try server.connect()
        try db.query("CREATE TABLE IF NOT EXISTS growth (t text)")
        try db.query("TRUNCATE growth")
        for _ in 0..<3 { #expect(try fixture.lifeboat(["backup", "--type", "logical"]).status == 0) }
        #expect(try check(fixture).report.status("logical backup size") == nil, "three backups are too few to judge")
        try db.query("INSERT INTO growth SELECT repeat(md5(g::text), 40) FROM generate_series(1, 20000) g")
        #expect(try fixture.lifeboat(["backup", "--type", "logical"]).status == 0)
        let finding = try #require(try check(fixture).report.findings.first { $0.name == "logical backup size" })
        #expect(finding.status == "warning")
        #expect(finding.detail.contains("the median of the 3 before it"), "\(finding.detail)")

        // A failed run after them is a problem, read from the run history, though the last backup is fresh.
        let original = try String(contentsOfFile: fixture.policy, encoding: .utf8)
        try Data(original.replacingOccurrences(of: "databases: [postgres]", with: "databases: [postgres, no_such_db]").utf8)
            .write(to: URL(fileURLWithPath: fixture.policy))
        #expect(try fixture.lifeboat(["backup", "--type", "logical"]).status != 0)
        try Data(original.utf8).write(to: URL(fileURLWithPath: fixture.policy))
        let failed = try #require(try check(fixture).report.findings.first { $0.name == "last logical backup run" })
        #expect(failed.status == "problem" && failed.detail.contains("no_such_db"), "\(failed.detail)")
    }
}

/// `2026-11-22T06:00:00Z`.
enum RFC3339Text {
    static func string(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
