import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// A repository, a policy and a key for the suite's server, all owned by the
/// server's OS user, with the server's `archive_command` set to `lifeboat
/// wal-push` with this policy — the production set-up. Every lifeboat command
/// runs as that user, as PostgreSQL's own invocations do.
struct PhysicalFixture {
    let dir: TemporaryDirectory
    let policy: String
    let server: TestPostgres
    /// Added to the environment of every lifeboat command this fixture runs
    /// (not to the server's: `archive_command` does not see it).
    let environment: [String: String]

    /// `extra` goes into the `postgres` section, `sections` at the end of the
    /// policy; `repository` replaces the local repository's `url:` line (the
    /// section's lines, indented). Without `archives`, `archive_command` is
    /// emptied instead of pointed at this policy.
    init(server: TestPostgres, name: String = "lms", databases: [String] = ["postgres"], jobs: Int = 2, extra: String = "", repository: String? = nil,
         sections: String = "", environment: [String: String] = [:], archives: Bool = true, archiveInto archivePolicy: String? = nil) throws {
        self.server = server
        self.environment = environment
        dir = try TemporaryDirectory(owner: OSUser.serverUser)
        policy = dir.appending("\(name).yaml")
        try Data("""
            name: \(name)
            postgres:
              host: \(server.socketDirectory)
              port: \(server.port)
              user: postgres
              databases: [\(databases.joined(separator: ", "))]
              checkpoint: fast
              jobs: \(jobs)\(extra)
            repository:
            \(repository ?? "  url: \(dir.appending("repo"))")
            compression: {algorithm: zstd, level: 3}
            encryption:
              key_file: \(dir.appending("\(name).key"))
            \(sections)
            """.utf8).write(to: URL(fileURLWithPath: policy))
        if let user = OSUser.serverUser { try OSUser.chown(policy, to: user) }
        let initResult = try lifeboat(["init"])
        guard initResult.status == 0 else { throw TestPostgresError.startFailed(initResult.err) }
        try setArchiveCommand(archives ? "\(LifeboatBinary.path) wal-push --policy \(archivePolicy ?? policy) %p" : "")
    }

    func setArchiveCommand(_ command: String) throws {
        let connection = try server.connect()
        try connection.query("ALTER SYSTEM SET archive_command = '\(command)'")
        try connection.query("SELECT pg_reload_conf()")
        usleep(300_000)
    }

    @discardableResult
    func lifeboat(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let result = try LifeboatBinary.run(arguments + ["--policy", policy], environment: environment, user: OSUser.serverUser)
        return (result.status, result.output, result.stderr)
    }

    func backup() throws -> String {
        let result = try lifeboat(["backup", "--type", "physical", "--json"])
        guard result.status == 0 else { throw TestPostgresError.startFailed("backup failed: \(result.err)") }
        struct Report: Decodable { let id: String }
        return try JSONDecoder().decode(Report.self, from: Data(result.out.utf8)).id
    }

    /// Switches to a new WAL segment and waits until the finished one is archived.
    func archiveCurrentWAL(on connection: PostgresConnection) throws {
        let segment = try connection.query("SELECT pg_walfile_name(pg_switch_wal())").scalar() ?? ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let last = try connection.query("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").scalar() ?? ""
            if last >= segment { return }
            usleep(100_000)
        }
        throw TestPostgresError.startFailed("segment \(segment) was not archived within 60 s")
    }

    /// A fresh directory for a restore, owned by the server's OS user.
    func restoreDirectory(_ name: String) -> String { dir.appending(name) }

    /// Restores with `arguments` into `name`, checks the directory with
    /// pg_verifybackup, starts it, waits for recovery, checks it with
    /// pg_amcheck, lets `body` see the running server, and returns the ids
    /// in `table`.
    func restoreAndReadMarkers(into name: String, _ arguments: [String], table: String = "markers",
                               whileRunning body: (RestoredServer) throws -> Void = { _ in }) throws -> [Int] {
        let directory = restoreDirectory(name)
        let restored = try lifeboat(["restore", "--data-dir", directory] + arguments)
        try #require(restored.status == 0, "restore \(arguments) failed: \(restored.err)")
        try server.run("pg_verifybackup", ["--no-parse-wal", directory])
        let restoredServer = try RestoredServer(dataDirectory: directory, socketDirectory: dir.path)
        try restoredServer.start()
        defer { restoredServer.stop() }
        try restoredServer.waitUntilPromoted()
        let ids = try restoredServer.connect().query("SELECT id FROM \(table) ORDER BY id").rows.compactMap { $0[0].flatMap { Int($0) } }
        let amcheck = try restoredServer.run("pg_amcheck", ["-h", dir.path, "-p", String(restoredServer.port), "-U", "postgres",
                                                            "--all", "--install-missing", "--heapallindexed"])
        #expect(amcheck.status == 0)
        try body(restoredServer)
        return ids
    }
}
