import ExternalProgram
import Foundation
import LifeboatEngine
import LifeboatTestSupport
import Postgres
import Testing

/// `lifeboat drill` against a real PostgreSQL that archives through `lifeboat
/// wal-push`: a scratch cluster is restored, verified and measured, and always
/// removed — also when the drill is killed.
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "timezone": "'UTC'", "wal_keep_size": "'256MB'"]), .serialized)
struct DrillTests {
    /// A fixture whose policy has objectives, a drill workspace inside the
    /// fixture directory, and `checks` as the drill's SQL checks.
    /// Without `dataDirectory`, the drill reads the source's unarchived WAL through `pg_read_binary_file`.
    func fixture(_ server: TestPostgres, rto: String = "15m", rpo: String = "5m", checks: String, dataDirectory: Bool = true) throws -> PhysicalFixture {
        let workspace = "/tmp/lifeboat-drill-test-\(getpid())"
        return try PhysicalFixture(server: server, extra: dataDirectory ? "\n  data_directory: \(server.dataDirectory)" : "", sections: """
            objectives:
              rto: \(rto)
              rpo: \(rpo)
            drill:
              workspace: \(workspace)
              checks:\(checks.isEmpty ? " []" : "\n" + checks)
            """)
    }

    func workspace(of fixture: PhysicalFixture) -> String { "/tmp/lifeboat-drill-test-\(getpid())" }

    func drill(_ fixture: PhysicalFixture, _ arguments: [String] = []) throws -> (status: Int32, record: DrillRecord?, err: String) {
        let result = try fixture.lifeboat(["drill", "--json"] + arguments)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let record = try? decoder.decode(DrillRecord.self, from: Data(result.out.utf8))
        return (result.status, record, result.err)
    }

    /// What is left in the workspace (scratch clusters), ignoring nothing.
    func leftovers(_ fixture: PhysicalFixture) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: workspace(of: fixture))) ?? []
    }

    @Test func physicalDrillOfAnIdleSourcePassesWithNoDataLoss() throws {
        let server = try TestPostgres.require()
        let fixture = try fixture(server, checks: "    - { name: markers present, sql: \"SELECT count(*) FROM markers\", expect: \">= 3\" }")
        defer { fixture.dir.remove() }
        let db = try server.connect()
        try db.query("CREATE TABLE markers (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())")
        try db.query("CREATE TABLE filler AS SELECT g, md5(g::text) AS t FROM generate_series(1, 20000) g")
        try db.query("CREATE INDEX ON filler (t)")
        try db.query("INSERT INTO markers (id) VALUES (1)")
        let backupID = try fixture.backup()
        try db.query("INSERT INTO markers (id) VALUES (2), (3)")
        try fixture.archiveCurrentWAL(on: db)

        let result = try drill(fixture, ["--report-dir", fixture.dir.appending("reports")])
        let record = try #require(result.record, "no drill record: \(result.err)")
        #expect(result.status == 0, "\(result.err)")
        #expect(record.outcome == .passed)
        #expect(record.backupID == backupID)
        #expect(record.phases.map(\.name) == ["fetch_decrypt_decompress", "restore", "wal_replay", "verification"])
        let rto = try #require(record.rtoSeconds)
        #expect(abs(record.phases.map(\.seconds).reduce(0, +) - rto) < 0.001)
        #expect(rto < record.finishedAt.timeIntervalSince(record.startedAt) + 1)
        // Idle since the last archived commit: nothing lost, and that was measured, not assumed.
        #expect(record.rpoSeconds == 0)
        #expect(record.rpo?.basis == .measured, "\(record.rpo?.detail ?? "")")
        #expect(record.rpo?.worstCaseSeconds == nil, "archive_timeout is 0 here: the worst case is unbounded")
        #expect(record.checks.map(\.name).contains("pg_amcheck"))
        #expect(record.checks.allSatisfy { $0.passed }, "\(record.checks)")
        let counts = try #require(record.checks.first { $0.name == "row counts: postgres" })
        #expect(counts.detail.contains("every table matches"))
        #expect(record.checks.first { $0.name == "markers present" }?.detail.hasPrefix("3 ") == true)
        #expect(leftovers(fixture).isEmpty, "scratch clusters left behind: \(leftovers(fixture))")
        let json = fixture.dir.appending("reports/drill-\(record.id).json")
        #expect(FileManager.default.fileExists(atPath: json))
    }

    @Test func commitsThatWereNeverArchivedAreTheMeasuredDataLoss() throws {
        let server = try TestPostgres.require()
        let fixture = try fixture(server, rpo: "1s", checks: "", dataDirectory: false)
        defer { fixture.dir.remove() }
        let db = try server.connect()
        try db.query("CREATE TABLE IF NOT EXISTS lost (id int)")
        _ = try fixture.backup()
        try db.query("INSERT INTO lost VALUES (1)")
        try fixture.archiveCurrentWAL(on: db)
        usleep(1_500_000)
        // Committed, but still in the segment being written: a disaster now loses it.
        let committed = try #require(try db.query("INSERT INTO lost VALUES (2) RETURNING extract(epoch FROM clock_timestamp())::text").scalar())

        let result = try drill(fixture)
        let record = try #require(result.record, "no drill record: \(result.err)")
        #expect(result.status == 3, "an RPO of 1s is missed: \(result.err)")
        #expect(record.outcome == .objectivesMissed)
        #expect(record.rpo?.basis == .measured)
        let rpo = try #require(record.rpoSeconds)
        #expect(rpo >= 1.4 && rpo < 10, "rpo \(rpo)")
        let lastCommit = try #require(record.rpo?.lastSourceCommit)
        #expect(abs(lastCommit.timeIntervalSince1970 - (Double(committed) ?? 0)) < 1, "whole seconds in --json")
        // The lost row is a difference the row counts report, and expect.
        let counts = try #require(record.checks.first { $0.name == "row counts: postgres" })
        #expect(counts.passed && counts.detail.contains("public.lost: 1 restored, 2 on the source"), "\(counts.detail)")
        #expect(leftovers(fixture).isEmpty)
    }

    @Test func aDrillOverItsRTOExitsThreeAndSaysSo() throws {
        let server = try TestPostgres.require()
        // A check that takes 1.2 s makes sure the RTO is over 1 s, however fast the machine.
        let fixture = try fixture(server, rto: "1s", checks: "    - { name: slow, sql: \"SELECT count(*) FROM pg_sleep(1.2)\", expect: \"= 1\" }")
        defer { fixture.dir.remove() }
        _ = try fixture.backup()
        let result = try fixture.lifeboat(["drill"])
        #expect(result.status == 3, "\(result.err)")
        #expect(result.out.contains("OBJECTIVES_MISSED"))
        #expect(result.out.contains("target 1.0s: MISSED"), "\(result.out)")
        #expect(leftovers(fixture).isEmpty)
    }

    @Test func aFailingSQLCheckFailsTheDrill() throws {
        let server = try TestPostgres.require()
        let fixture = try fixture(server, checks: "    - { name: impossible, sql: \"SELECT count(*) FROM pg_class\", expect: \"= 0\" }")
        defer { fixture.dir.remove() }
        _ = try fixture.backup()
        let result = try drill(fixture)
        let record = try #require(result.record, "no drill record: \(result.err)")
        #expect(result.status == 3)
        #expect(record.outcome == .checksFailed)
        let check = try #require(record.checks.first { $0.name == "impossible" })
        #expect(!check.passed)
        #expect(check.detail.contains("expected = 0"))
        #expect(leftovers(fixture).isEmpty)
    }

    @Test func logicalDrillRestoresIntoAFreshCluster() throws {
        let server = try TestPostgres.require()
        let fixture = try fixture(server, checks: "    - { name: filler rows, sql: \"SELECT count(*) FROM drill_logical\", expect: \"= 500\" }")
        defer { fixture.dir.remove() }
        try server.connect().query("CREATE TABLE drill_logical AS SELECT g FROM generate_series(1, 500) g")
        let backup = try fixture.lifeboat(["backup", "--type", "logical"])
        try #require(backup.status == 0, "\(backup.err)")
        let result = try drill(fixture, ["--type", "logical"])
        let record = try #require(result.record, "no drill record: \(result.err)")
        #expect(result.status == 0, "\(result.err) \(record.checks)")
        #expect(record.backupType == "logical")
        #expect(record.phases.map(\.name) == ["fetch_decrypt_decompress", "restore", "verification"])
        #expect(record.checks.allSatisfy { $0.passed }, "\(record.checks)")
        #expect(record.rpo?.basis == .measured)
        #expect(record.rpoSeconds == 0, "nothing was committed since the dump")
        #expect(leftovers(fixture).isEmpty)
    }

    @Test(arguments: [SIGKILL, SIGTERM])
    func aKilledDrillLeavesNoScratchClusterBehind(signal: Int32) throws {
        let server = try TestPostgres.require()
        let fixture = try fixture(server, checks: "")
        defer { fixture.dir.remove() }
        _ = try fixture.backup()
        // Run as root (it hands the scratch cluster to the postgres OS user),
        // so the pid is lifeboat's own and not runuser's.
        let drill = try ProgramOutputStream(Program(LifeboatBinary.path, ["drill", "--policy", fixture.policy]))
        // Wait for the scratch server, then kill the drill under it.
        var postmaster: Int32?
        let deadline = Date().addingTimeInterval(60)
        while postmaster == nil, Date() < deadline, kill(drill.processID, 0) == 0 {
            for entry in leftovers(fixture) {
                let pidFile = workspace(of: fixture) + "/\(entry)/data/postmaster.pid"
                if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.split(separator: "\n").first ?? "") {
                    postmaster = pid
                }
            }
            usleep(20_000)
        }
        let server0 = try #require(postmaster, "the drill never started its scratch server")
        kill(drill.processID, signal)
        #expect(throws: ProgramError.self, "killed, the drill does not exit 0") { try drill.finish() }
        let cleaned = Date().addingTimeInterval(30)
        while Date() < cleaned, !leftovers(fixture).isEmpty || kill(server0, 0) == 0 { usleep(100_000) }
        #expect(kill(server0, 0) != 0, "the scratch server \(server0) still runs")
        #expect(leftovers(fixture).isEmpty, "left behind: \(leftovers(fixture))")
    }
}
