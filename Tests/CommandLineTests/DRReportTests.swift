import Foundation
import LifeboatEngine
import LifeboatTestSupport
import Postgres
import Testing

/// `lifeboat report` over a period with several drills — one passing, one
/// over its RTO, one whose SQL check fails — and a failed backup run.
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "timezone": "'UTC'", "wal_keep_size": "'256MB'"]), .serialized)
struct DRReportTests {
    @Test func theQuarterlyReportShowsEveryDrillAndWhatFailed() throws {
        let server = try TestPostgres.require()
        let workspace = "/tmp/lifeboat-report-test-\(getpid())"
        let fixture = try PhysicalFixture(server: server, sections: """
            objectives:
              rto: 15m
              rpo: 5m
            schedule:
              physical: "30 3 * * *"
            drill:
              workspace: \(workspace)
              checks:
                - { name: catalog present, sql: "SELECT count(*) FROM pg_class", expect: ">= 1" }
            """)
        defer { fixture.dir.remove() }
        let original = try String(contentsOfFile: fixture.policy, encoding: .utf8)
        func rewritePolicy(_ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: fixture.policy))
        }
        _ = try fixture.backup()
        #expect(try fixture.lifeboat(["drill"]).status == 0)
        // Over an RTO of 1 s for sure: a check that takes 1.2 s.
        try rewritePolicy(original.replacingOccurrences(of: "rto: 15m", with: "rto: 1s").replacingOccurrences(
            of: "expect: \">= 1\" }", with: "expect: \">= 1\" }\n    - { name: slow, sql: \"SELECT count(*) FROM pg_sleep(1.2)\", expect: \"= 1\" }"))
        #expect(try fixture.lifeboat(["drill"]).status == 3)
        try rewritePolicy(original.replacingOccurrences(of: "expect: \">= 1\"", with: "expect: \"= 0\""))
        #expect(try fixture.lifeboat(["drill"]).status == 3)
        try rewritePolicy(original.replacingOccurrences(of: "databases: [postgres]", with: "databases: [postgres, no_such_database]"))
        #expect(try fixture.lifeboat(["backup", "--type", "logical"]).status != 0)
        try rewritePolicy(original)

        let quarter = ReportPeriod.quarter(containing: Date(), timeZone: TimeZone(identifier: "UTC") ?? .current).label
        let jsonResult = try fixture.lifeboat(["report", "--period", quarter, "--format", "json"])
        try #require(jsonResult.status == 0, "\(jsonResult.err)")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let report = try decoder.decode(DRReport.self, from: Data(jsonResult.out.utf8))
        #expect(report.period.label == quarter)
        #expect(report.drills.map(\.outcome) == [.passed, .objectivesMissed, .checksFailed])
        #expect(report.trend.count == 3)
        #expect(report.trendPeriods.count == 4)
        #expect(report.backups.taken.map(\.type) == ["physical"])
        #expect(report.backups.failed.count == 1)
        #expect(report.backups.failed.first?.error.contains("no_such_database") == true)
        let titles = report.findings.map(\.title)
        #expect(titles.contains { $0.contains("missed its objectives") }, "\(titles)")
        #expect(titles.contains { $0.contains("verification failed") }, "\(titles)")
        #expect(titles.contains { $0.contains("backup run(s) failed") }, "\(titles)")
        #expect(report.findings.first?.severity == .problem)

        // Each drill is a run in the audit log too, pointing to its record; the report counts only backups as failed backups.
        struct Runs: Decodable { struct Run: Decodable { let exit_code: Int32; let drill_id: String? }; let runs: [Run] }
        let drillRuns = try JSONDecoder().decode(Runs.self, from: Data(try fixture.lifeboat(["log", "--json", "--command", "drill"]).out.utf8)).runs
        #expect(drillRuns.map(\.exit_code) == [0, 3, 3])
        #expect(drillRuns.compactMap(\.drill_id) == report.drills.map(\.id))

        let html = fixture.dir.appending("dr-\(quarter).html")
        let htmlResult = try fixture.lifeboat(["report", "--period", quarter, "--output", html])
        #expect(htmlResult.status == 0, "\(htmlResult.err)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg"))
        #expect(!page.contains("http://") && !page.contains("https://"), "self-contained: no network")
        for drill in report.drills { #expect(page.contains(drill.id)) }

        let markdown = try fixture.lifeboat(["report", "--period", quarter])
        #expect(markdown.status == 0)
        for drill in report.drills { #expect(markdown.out.contains(drill.id)) }
        #expect(!markdown.out.contains("<svg"))

        let empty = try fixture.lifeboat(["report", "--period", "2020-Q1", "--format", "json"])
        let past = try decoder.decode(DRReport.self, from: Data(empty.out.utf8))
        #expect(past.drills.isEmpty)
        #expect(past.findings.contains { $0.title == "No restore drill in 2020-Q1" })
        #expect(try fixture.lifeboat(["report", "--period", "2026-Q5"]).status == 64, "a usage error")
    }
}
