import Foundation
import LifeboatEngine
import LifeboatTestSupport
import Postgres
import Testing

/// lifeboat end to end on an S3 repository: a real PostgreSQL whose
/// `archive_command` pushes WAL through `lifeboat wal-push` into a bucket on
/// moto, every command run as the postgres OS user, restored servers fetching
/// WAL back through `restore_command`. The keys reach lifeboat from a
/// credentials file the policy names — PostgreSQL's own invocations run with
/// the server's environment — except where a test says otherwise.
///
/// More of the suite: `S3EndToEndTests+Interoperability.swift` (the `aws`
/// command line and the runbook's script read what lifeboat wrote) and
/// `S3EndToEndTests+Faults.swift` (through a proxy that fails requests).
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "archive_timeout": "'60s'", "timezone": "'UTC'",
                            "wal_keep_size": "'256MB'"]), .moto, .serialized)
struct S3EndToEndTests {
    struct Listing: Decodable {
        struct Backup: Decodable { let id: String; let type: String }
        struct WAL: Decodable { let first: String? }
        let backups: [Backup]
        let wal: WAL
    }

    struct Plan: Decodable {
        struct Backup: Decodable { let id: String }
        struct WAL: Decodable { let kept_from: String?; let deleted: [String] }
        let ok: Bool
        let deleted: [Backup]
        let wal: WAL
    }

    struct CheckReport: Decodable {
        struct Finding: Decodable { let name: String; let status: String; let detail: String }
        let ok: Bool
        let findings: [Finding]
        func status(_ name: String) -> String? { findings.first { $0.name == name }?.status }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ output: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(output.utf8))
    }

    static func backupID(_ result: (status: Int32, out: String, err: String)) throws -> String {
        try #require(result.status == 0, "backup failed: \(result.err)")
        struct Report: Decodable { let id: String }
        return try decode(Report.self, result.out).id
    }

    /// `count:md5` of every user table of `database`, rows in text order.
    static func tableChecksums(_ connection: PostgresConnection) throws -> [String: String] {
        let tables = try connection.query("""
            SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
            """).rows.compactMap { $0[0] }
        var sums: [String: String] = [:]
        for table in tables {
            sums[table] = try connection.query(
                "SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \(table) t").scalar()
        }
        return sums
    }

    /// Credentials from the variables the policy names, in lifeboat's environment.
    @Test func logicalBackupRestoresEveryTableFromS3() throws {
        let server = try TestPostgres.require()
        try LogicalBackupTests.makeSource(server, "s3shop", role: "s3_reporting")
        let bucket = try S3TestRepository(try MotoServer.require())
        defer { bucket.remove() }
        let fixture = try PhysicalFixture(server: server, databases: ["s3shop"], repository: bucket.policySection(.environment),
                                          environment: S3TestRepository.environment, archives: false)
        defer { fixture.dir.remove() }
        let id = try Self.backupID(try fixture.lifeboat(["backup", "--type", "logical", "--json"]))
        #expect(try bucket.keys().contains("lms/backups/\(id)/manifest.json"))

        let listing = try Self.decode(Listing.self, try fixture.lifeboat(["list", "--json"]).out)
        #expect(listing.backups.map(\.id) == [id] && listing.backups.first?.type == "logical")
        let verify = try fixture.lifeboat(["verify", "--all"])
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")

        let restore = try fixture.lifeboat(["restore", "--database", "s3shop_restored"])
        #expect(restore.status == 0, "\(restore.err)")
        let source = try Self.tableChecksums(try server.connect(database: "s3shop"))
        #expect(source.count == 3)
        #expect(try Self.tableChecksums(try server.connect(database: "s3shop_restored")) == source)
        #expect(try LogicalBackupTests.fingerprint(server, "s3shop_restored") == (try LogicalBackupTests.fingerprint(server, "s3shop")))
    }

    @Test func pointInTimeRecoveryFromS3LandsBetweenTheMarkers() throws {
        let server = try TestPostgres.require()
        let bucket = try S3TestRepository(try MotoServer.require())
        defer { bucket.remove() }
        let fixture = try PhysicalFixture(server: server, repository: bucket.policySection())
        defer { fixture.dir.remove() }
        let db = try server.connect()
        try db.query("DROP TABLE IF EXISTS s3_markers, s3_filler")
        try db.query("CREATE TABLE s3_markers (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())")
        try db.query("CREATE TABLE s3_filler AS SELECT g, md5(g::text) AS t FROM generate_series(1, 100000) g")
        try db.query("INSERT INTO s3_markers (id) VALUES (1)")
        _ = try fixture.backup()
        try db.query("INSERT INTO s3_markers (id) VALUES (2)")
        usleep(300_000)
        let time = try #require(try db.query("SELECT clock_timestamp()::text").scalar())
        usleep(300_000)
        try db.query("INSERT INTO s3_markers (id) VALUES (3)")
        try fixture.archiveCurrentWAL(on: db)

        let wal = try bucket.keys().filter { $0.hasPrefix("lms/wal/00000001/") }
        #expect(!wal.isEmpty, "archive_command stored no WAL in the bucket")
        #expect(try fixture.restoreAndReadMarkers(into: "by-time", ["--target-time", time, "--archive-mode", "off"], table: "s3_markers") == [1, 2])
        #expect(try fixture.restoreAndReadMarkers(into: "end", ["--archive-mode", "off"], table: "s3_markers") == [1, 2, 3])
        let verify = try fixture.lifeboat(["verify", "--all"])
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")
    }

    @Test func pruneDeletesTheOlderBackupAndItsWALFromTheBucket() throws {
        let server = try TestPostgres.require()
        let bucket = try S3TestRepository(try MotoServer.require())
        defer { bucket.remove() }
        let fixture = try PhysicalFixture(server: server, repository: bucket.policySection(), sections: "retention:\n  keep_last: 1")
        defer { fixture.dir.remove() }
        let db = try server.connect()
        let first = try fixture.backup()
        try db.query("CREATE TABLE IF NOT EXISTS s3_churn AS SELECT g FROM generate_series(1, 10000) g")
        try fixture.archiveCurrentWAL(on: db)
        let second = try fixture.backup()
        let before = try bucket.keys()
        #expect(before.contains { $0.hasPrefix("lms/backups/\(first)/") })

        let pruned = try fixture.lifeboat(["prune", "--json"])
        #expect(pruned.status == 0, "\(pruned.err)")
        let plan = try Self.decode(Plan.self, pruned.out)
        #expect(plan.ok && plan.deleted.map(\.id) == [first])
        let after = try bucket.keys()
        #expect(!after.contains { $0.hasPrefix("lms/backups/\(first)/") }, "\(after)")
        #expect(after.contains("lms/backups/\(second)/manifest.json"))

        func walNames(_ keys: [String]) -> Set<String> {
            Set(keys.filter { $0.hasPrefix("lms/wal/") }.map { String($0.split(separator: "/").last ?? "") })
        }
        #expect(!plan.wal.deleted.isEmpty)
        #expect(walNames(before).subtracting(walNames(after)) == Set(plan.wal.deleted))
        let keptFrom = try #require(plan.wal.kept_from)
        let segments = walNames(after).filter { $0.count == 24 }
        #expect(!segments.isEmpty && segments.allSatisfy { $0 >= keptFrom }, "WAL below \(keptFrom) is left: \(segments.sorted())")

        let listing = try Self.decode(Listing.self, try fixture.lifeboat(["list", "--json"]).out)
        #expect(listing.backups.map(\.id) == [second])
        let verify = try fixture.lifeboat(["verify", "--all"])
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")
    }

    @Test func aDrillFromS3PassesAndCheckFindsTheRepositoryHealthy() throws {
        let server = try TestPostgres.require()
        let bucket = try S3TestRepository(try MotoServer.require())
        defer { bucket.remove() }
        let workspace = "/tmp/lifeboat-s3-drill-\(getpid())"
        let fixture = try PhysicalFixture(server: server, extra: "\n  data_directory: \(server.dataDirectory)", repository: bucket.policySection(),
                                          sections: """
            objectives:
              rto: 30m
              rpo: 10m
            schedule:
              physical: "30 3 * * *"
            drill:
              workspace: \(workspace)
              checks:
                - { name: drill rows, sql: "SELECT count(*) FROM s3_drill", expect: "= 2" }
            """)
        defer {
            fixture.dir.remove()
            try? FileManager.default.removeItem(atPath: workspace)
        }
        let db = try server.connect()
        try db.query("DROP TABLE IF EXISTS s3_drill")
        try db.query("CREATE TABLE s3_drill (id int PRIMARY KEY)")
        try db.query("INSERT INTO s3_drill VALUES (1)")
        let backupID = try fixture.backup()
        try db.query("INSERT INTO s3_drill VALUES (2)")
        try fixture.archiveCurrentWAL(on: db)

        let drill = try fixture.lifeboat(["drill", "--json"])
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let record = try #require(try? decoder.decode(DrillRecord.self, from: Data(drill.out.utf8)), "no drill record: \(drill.err)")
        #expect(drill.status == 0, "\(drill.err) \(record.checks)")
        #expect(record.outcome == .passed && record.backupID == backupID)
        #expect(record.checks.allSatisfy { $0.passed }, "\(record.checks)")
        #expect(record.checks.contains { $0.name == "drill rows" })
        let left = (try? FileManager.default.contentsOfDirectory(atPath: workspace)) ?? []
        #expect(left.isEmpty, "scratch clusters left behind: \(left)")

        let check = try fixture.lifeboat(["check", "--json"])
        let report = try Self.decode(CheckReport.self, check.out)
        #expect(check.status == 0 && report.ok, "\(report.findings.filter { $0.status != "ok" })")
        for name in ["repository keys", "repository writable", "last physical backup", "last drill", "wal archive", "archive_command"] {
            #expect(report.status(name) == "ok", "\(name): \(report.findings.first { $0.name == name }?.detail ?? "missing")")
        }
    }
}
