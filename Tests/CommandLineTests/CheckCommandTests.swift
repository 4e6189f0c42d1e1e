import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// `lifeboat check` against a real PostgreSQL: a clear report, one JSON document
/// with `--json`, exit 0 when all is well and 3 when something is not.
@Suite(.postgres(settings: ["archive_mode": "on", "archive_timeout": "300"]), .serialized)
struct CheckCommandTests {
    /// A policy for the suite's server asking for physical backups with an RPO of 10 minutes.
    func policy(in dir: TemporaryDirectory, server: TestPostgres, port: Int? = nil) throws -> String {
        let path = dir.appending("lms.yaml")
        let text = """
            name: lms
            postgres:
              host: \(server.socketDirectory)
              port: \(port ?? server.port)
              user: postgres
              databases: [lms]
              data_directory: \(server.dataDirectory)
            repository:
              url: \(dir.appending("repo"))
            encryption:
              key_file: \(dir.appending("lms.key"))
            objectives:
              rpo: 10m
            schedule:
              physical: "30 3 * * *"
            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func setArchiveCommand(_ command: String, on server: TestPostgres) throws {
        let connection = try server.connect()
        try connection.query("ALTER SYSTEM SET archive_command = $1".replacingOccurrences(of: "$1", with: "'\(command.replacingOccurrences(of: "'", with: "''"))'"))
        try connection.query("SELECT pg_reload_conf()")
        for _ in 0..<50 {
            if try connection.query("SHOW archive_command").scalar() == command { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    struct Report: Decodable {
        struct Finding: Decodable { let name: String; let status: String; let detail: String; let hint: String? }
        let ok: Bool
        let policy: String
        let findings: [Finding]
    }

    /// The server's side only: this policy's repository does not exist, so the
    /// repository's findings are problems here (MonitoringCheckTests covers a healthy whole).
    @Test func wellConfiguredServerPassesTheServerChecks() throws {
        let server = try TestPostgres.require()
        _ = try? server.createDatabase("lms")
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try policy(in: dir, server: server)
        try setArchiveCommand("\(LifeboatBinary.path) wal-push --policy \(path) %p", on: server)

        let text = try LifeboatBinary.run(["check", "--policy", path])
        #expect(text.output.contains("ok       server reachable"), "\(text.stdout)\(text.stderr)")
        #expect(text.output.contains("PROBLEM  repository keys"))
        #expect(text.status == 3)

        let json = try LifeboatBinary.run(["check", "--policy", path, "--json"])
        let report = try JSONDecoder().decode(Report.self, from: json.stdout)
        #expect(report.policy == "lms")
        let serverFindings: Set = ["server reachable", "wal_level", "archive_mode", "archive_command", "archive_timeout", "archiver", "archive lag", "databases", "pg_basebackup"]
        #expect(Set(report.findings.map(\.name)).isSuperset(of: serverFindings))
        #expect(report.findings.filter { serverFindings.contains($0.name) }.allSatisfy { $0.status == "ok" }, "\(report.findings)")
    }

    @Test func wrongArchiveCommandIsAProblemWithAHint() throws {
        let server = try TestPostgres.require()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try policy(in: dir, server: server)
        try setArchiveCommand("cp %p /mnt/archive/%f", on: server)

        let json = try LifeboatBinary.run(["check", "--policy", path, "--json"])
        #expect(json.status == 3)
        let report = try JSONDecoder().decode(Report.self, from: json.stdout)
        #expect(!report.ok)
        let finding = try #require(report.findings.first { $0.name == "archive_command" })
        #expect(finding.status == "problem")
        #expect(finding.hint?.contains("wal-push --policy \(path) %p") == true)

        let text = try LifeboatBinary.run(["check", "--policy", path])
        #expect(text.status == 3)
        #expect(text.output.contains("PROBLEM  archive_command"))
        #expect(text.output.contains("problems found"))
    }

    @Test func unreachableServerExits3() throws {
        let server = try TestPostgres.require()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try policy(in: dir, server: server, port: 1)
        let json = try LifeboatBinary.run(["check", "--policy", path, "--json"])
        #expect(json.status == 3)
        let report = try JSONDecoder().decode(Report.self, from: json.stdout)
        #expect(report.findings.first?.name == "server reachable")
        #expect(report.findings.first?.status == "problem")
        #expect(!report.findings.contains { $0.name == "wal_level" }, "nothing more is asked of a server that cannot be reached")
        #expect(report.findings[0].detail.contains("cannot connect"))
        #expect(json.stderr.isEmpty)
    }

    @Test func archiveTimeoutLongerThanRPOIsAProblem() throws {
        let server = try TestPostgres.require()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try policy(in: dir, server: server)
        let connection = try server.connect()
        try connection.query("ALTER SYSTEM SET archive_timeout = 3600")
        try connection.query("SELECT pg_reload_conf()")
        defer {
            _ = try? connection.query("ALTER SYSTEM RESET archive_timeout")
            _ = try? connection.query("SELECT pg_reload_conf()")
        }
        Thread.sleep(forTimeInterval: 0.5)
        let json = try LifeboatBinary.run(["check", "--policy", path, "--json"])
        #expect(json.status == 3)
        let report = try JSONDecoder().decode(Report.self, from: json.stdout)
        let finding = try #require(report.findings.first { $0.name == "archive_timeout" })
        #expect(finding.status == "problem" && finding.detail.contains("3600s"))
    }

    @Test func missingDatabaseIsAProblem() throws {
        let server = try TestPostgres.require()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try policy(in: dir, server: server)
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "databases: [lms]", with: "databases: [lms, nosuchdb]")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let json = try LifeboatBinary.run(["check", "--policy", path, "--json"])
        let report = try JSONDecoder().decode(Report.self, from: json.stdout)
        let finding = try #require(report.findings.first { $0.name == "databases" })
        #expect(finding.status == "problem" && finding.detail.contains("nosuchdb"))
        #expect(json.status == 3)
    }

    @Test func libpqEnvironmentAndPasswordFileAreHonoured() throws {
        // A role that must give a password over TCP; the policy names neither
        // port nor password: PGPORT and a PGPASSFILE supply them, as with psql.
        let server = try TestPostgres.require()
        let connection = try server.connect()
        try connection.query("DROP ROLE IF EXISTS auditor")
        try connection.query("CREATE ROLE auditor LOGIN SUPERUSER PASSWORD 'pw-from-pgpass'")
        let hba = (server.dataDirectory as NSString).appendingPathComponent("pg_hba.conf")
        let original = try String(contentsOfFile: hba, encoding: .utf8)
        try Data(("host all auditor 127.0.0.1/32 scram-sha-256\n" + original).utf8).write(to: URL(fileURLWithPath: hba))
        try connection.query("SELECT pg_reload_conf()")
        Thread.sleep(forTimeInterval: 0.3)

        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let policy = dir.appending("lms.yaml")
        try Data("""
            name: lms
            postgres:
              host: 127.0.0.1
              user: auditor
            repository:
              url: \(dir.appending("repo"))
            encryption:
              key_file: \(dir.appending("lms.key"))
            """.utf8).write(to: URL(fileURLWithPath: policy))
        let passfile = dir.appending("pgpass")
        try Data("127.0.0.1:\(server.port):*:auditor:pw-from-pgpass\n".utf8).write(to: URL(fileURLWithPath: passfile))
        chmod(passfile, 0o600)

        let withPassfile = try LifeboatBinary.run(["check", "--policy", policy, "--json"],
                                                  environment: ["PGPORT": String(server.port), "PGPASSFILE": passfile])
        let report = try JSONDecoder().decode(Report.self, from: withPassfile.stdout)
        #expect(report.findings.first?.name == "server reachable")
        #expect(report.findings.first?.status == "ok", "\(report.findings.first?.detail ?? "")")

        let withoutPassword = try LifeboatBinary.run(["check", "--policy", policy, "--json"],
                                                     environment: ["PGPORT": String(server.port), "PGPASSFILE": "/nonexistent"])
        let refused = try JSONDecoder().decode(Report.self, from: withoutPassword.stdout)
        #expect(refused.findings.first?.status == "problem")
        #expect(withoutPassword.status == 3)
        #expect(!withoutPassword.stdout.contains("pw-from-pgpass".utf8))
    }
}
