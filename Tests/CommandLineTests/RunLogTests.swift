import Foundation
import LifeboatTestSupport
import Repository
import Testing

/// The run history and audit log as an operator reads it with `lifeboat log`:
/// every run recorded with who ran it and how it ended, sealed, chained so that
/// a deleted or altered record is found, kept by prune, never holding a secret,
/// and never failing a command that succeeded.
@Suite(.postgres, .serialized)
struct RunLogTests {
    /// A repository and a policy owned by the server's OS user (when the tests
    /// run as root), unlocked by a key file and a passphrase from `LB_PASS`;
    /// every command runs as that user, with the passphrase in its environment.
    struct Fixture {
        let dir: TemporaryDirectory
        let policy: String
        let passphrase = "Correct-Horse-\(UInt32.random(in: 0...UInt32.max))-Battery"
        var repository: String { dir.appending("repo") }
        var runs: String { dir.appending("repo/lms/runs") }

        init(server: TestPostgres, sections: String = "") throws {
            dir = try TemporaryDirectory(owner: OSUser.serverUser)
            policy = dir.appending("lms.yaml")
            try writePolicy(policy, server: server, databases: "[postgres]", sections: sections)
            let initResult = try lifeboat(["init"])
            guard initResult.status == 0 else { throw TestPostgresError.startFailed(initResult.err) }
        }

        func writePolicy(_ path: String, server: TestPostgres, databases: String, sections: String = "") throws {
            try Data("""
                name: lms
                postgres:
                  host: \(server.socketDirectory)
                  port: \(server.port)
                  user: postgres
                  databases: \(databases)
                repository:
                  url: \(repository)
                encryption:
                  key_file: \(dir.appending("lms.key"))
                  passphrase_env: LB_PASS
                \(sections)
                """.utf8).write(to: URL(fileURLWithPath: path))
            if let user = OSUser.serverUser { try OSUser.chown(path, to: user) }
        }

        @discardableResult
        func lifeboat(_ arguments: [String], policy: String? = nil, environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
            let result = try LifeboatBinary.run(arguments + ["--policy", policy ?? self.policy],
                                                environment: ["LB_PASS": passphrase].merging(environment) { $1 }, user: OSUser.serverUser)
            return (result.status, result.output, result.stderr)
        }

        func backup() throws -> String {
            let result = try lifeboat(["backup", "--json"])
            guard result.status == 0 else { throw TestPostgresError.startFailed("backup failed: \(result.err)") }
            struct Report: Decodable { let id: String }
            return try JSONDecoder().decode(Report.self, from: Data(result.out.utf8)).id
        }

        func log(_ arguments: [String] = []) throws -> Log {
            let result = try lifeboat(["log", "--json"] + arguments)
            #expect(result.status == 0, "\(result.err)")
            return try JSONDecoder().decode(Log.self, from: Data(result.out.utf8))
        }

        /// Every file of the repository, by path.
        func files() -> [String] {
            (FileManager.default.subpaths(atPath: repository) ?? []).map { repository + "/" + $0 }.filter {
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
        }

        /// Puts bytes back as the repository's owner would have written them.
        func restore(_ bytes: Data, at path: String) throws {
            try bytes.write(to: URL(fileURLWithPath: path))
            chmod(path, 0o600)
            if let user = OSUser.serverUser { try OSUser.chown(path, to: user) }
        }
    }

    struct Log: Decodable {
        struct Run: Decodable {
            let id: String
            let command: String
            let outcome: String
            let exit_code: Int32
            let error: String?
            let user: String
            let host: String
            let pid: Int32?
            let backup_id: String?
            let size_bytes: Int64?
            let stored_bytes: Int64?
            let dry_run: Bool
            let arguments: [String]
            let previous: String?
            let sha256: String
        }
        struct Chain: Decodable {
            struct Finding: Decodable { let severity: String; let record: String?; let detail: String }
            let intact: Bool
            let records: Int
            let findings: [Finding]
        }
        let ok: Bool
        let runs: [Run]
        let chain: Chain
    }

    static var expectedUser: String { OSUser.serverUser ?? RepositoryLock.currentUserName() }

    @Test func everyRunIsLoggedWithWhoRanItAndHowItEnded() throws {
        let server = try TestPostgres.require()
        let f = try Fixture(server: server, sections: "retention:\n  keep_last: 3")
        defer { f.dir.remove() }
        let id = try f.backup()
        let broken = f.dir.appending("broken.yaml")
        try f.writePolicy(broken, server: server, databases: "[postgres, no_such_database]")
        #expect(try f.lifeboat(["backup"], policy: broken).status == 1)
        #expect(try f.lifeboat(["verify"]).status == 0)
        #expect(try f.lifeboat(["prune"]).status == 0)
        #expect(try f.lifeboat(["key", "rotate"]).status == 0)

        let raw = try f.lifeboat(["log", "--json"])
        #expect(raw.status == 0, "\(raw.err)")
        #expect(!raw.out.contains(f.passphrase) && !raw.err.contains(f.passphrase), "no secret is ever recorded")
        let log = try JSONDecoder().decode(Log.self, from: Data(raw.out.utf8))
        #expect(log.runs.map(\.command) == ["init", "backup", "backup", "verify", "prune", "key rotate"])
        #expect(log.runs.map(\.outcome) == ["succeeded", "succeeded", "failed", "succeeded", "succeeded", "succeeded"])
        #expect(log.runs.map(\.exit_code) == [0, 0, 1, 0, 0, 0])
        #expect(log.runs.allSatisfy { $0.user == Self.expectedUser && $0.host == ProcessInfo.processInfo.hostName && $0.pid != nil })
        #expect(log.runs[1].backup_id == id && (log.runs[1].size_bytes ?? 0) > 0 && (log.runs[1].stored_bytes ?? 0) > 0)
        #expect(log.runs[1].error == nil)
        #expect(log.runs[2].error?.contains("no_such_database") == true, "\(log.runs[2])")
        #expect(log.runs[2].backup_id == nil)
        #expect(log.runs[3].backup_id == id)
        #expect(log.runs[1].arguments.prefix(2) == ["backup", "--json"])
        #expect(log.ok && log.chain.intact && log.chain.records == 6 && log.chain.findings.isEmpty)
        #expect(log.runs.first?.previous == nil)
        #expect(zip(log.runs, log.runs.dropFirst()).allSatisfy { $1.previous == $0.sha256 }, "each record holds the SHA-256 of the one before")

        // Filters: by command (a word prefix for key subcommands), newest N, since.
        #expect(try f.log(["--command", "backup"]).runs.map(\.exit_code) == [0, 1])
        #expect(try f.log(["--command", "key"]).runs.map(\.command) == ["key rotate"])
        #expect(try f.log(["--limit", "2"]).runs.map(\.command) == ["prune", "key rotate"])
        #expect(try f.log(["--since", "2999-01-01 00:00"]).runs.isEmpty)
        let table = try f.lifeboat(["log"])
        #expect(table.status == 0 && table.out.contains("FAILED (1)") && table.out.contains("\(Self.expectedUser)@") && table.out.contains(id))

        // Sealed: no repository file holds a record's text.
        for file in f.files() {
            let contents = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(contents.range(of: Data(id.utf8)) == nil, "\(file) holds the backup id in plaintext")
            #expect(contents.range(of: Data("no_such_database".utf8)) == nil, "\(file) holds a record's error in plaintext")
        }
        let verified = try f.lifeboat(["log", "--verify"])
        #expect(verified.status == 0 && verified.out.contains("chain intact: 6 record(s)"), "\(verified.out)")

        // A deleted record in the middle is a gap, named: exit 5.
        let verify = f.runs + "/" + log.runs[3].id + ".json"
        let saved = try Data(contentsOf: URL(fileURLWithPath: verify))
        try FileManager.default.removeItem(atPath: verify)
        let gap = try f.lifeboat(["log", "--verify"])
        #expect(gap.status == 5)
        #expect(gap.out.contains("record \(log.runs[3].id) is missing: run \(log.runs[4].id) follows it"), "\(gap.out)")
        #expect(try f.lifeboat(["log"]).err.contains("hash chain is broken"), "without --verify: a warning")
        #expect(try f.log().ok == false)
        try f.restore(saved, at: verify)
        #expect(try f.lifeboat(["log", "--verify"]).status == 0)

        // A record copied under another name does not open; an edited one neither.
        let copy = f.runs + "/29990101T000000.000Z-backup-0000.json"
        try f.restore(try Data(contentsOf: URL(fileURLWithPath: f.runs + "/" + log.runs[1].id + ".json")), at: copy)
        let copied = try f.lifeboat(["log", "--verify"])
        #expect(copied.status == 5 && copied.out.contains("29990101T000000.000Z-backup-0000 cannot be read"), "\(copied.out)")
        try FileManager.default.removeItem(atPath: copy)
        var edited = saved
        edited[edited.count - 20] ^= 0x01
        try f.restore(edited, at: verify)
        let altered = try f.lifeboat(["log", "--verify", "--json"])
        #expect(altered.status == 5)
        let report = try JSONDecoder().decode(Log.self, from: Data(altered.out.utf8))
        #expect(!report.ok && report.chain.findings.contains { $0.severity == "error" && $0.record == log.runs[3].id })
        #expect(report.runs.count == 5)
    }

    @Test func pruneNeverDeletesARunRecord() throws {
        let server = try TestPostgres.require()
        let f = try Fixture(server: server, sections: "retention:\n  keep_last: 1")
        defer { f.dir.remove() }
        let first = try f.backup()
        _ = try f.backup()
        #expect(try f.lifeboat(["prune", "--dry-run"]).status == 0)
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: f.runs))
        let pruned = try f.lifeboat(["prune", "--json"])
        #expect(pruned.status == 0, "\(pruned.err)")
        #expect(pruned.out.contains(first), "the prune deleted a backup")
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: f.runs))
        #expect(before.isSubset(of: after) && after.count == before.count + 1)
        let log = try f.log(["--verify"])
        #expect(log.runs.map(\.command) == ["init", "backup", "backup", "prune", "prune"])
        #expect(log.runs.map(\.dry_run) == [false, false, false, true, false])
        #expect(log.runs[1].backup_id == first, "the record of a pruned backup stays")
        #expect(log.chain.intact)
    }

    @Test func aRunThatCannotBeRecordedStillSucceedsWithAWarning() throws {
        let server = try TestPostgres.require()
        let f = try Fixture(server: server)
        defer { f.dir.remove() }
        let id = try f.backup()
        // Unwritable for the repository's owner, who runs lifeboat (root would ignore the mode: the tests run it as postgres then).
        chmod(f.runs, 0o500)
        defer { chmod(f.runs, 0o700) }
        let pinned = try f.lifeboat(["pin", id])
        #expect(pinned.status == 0, "\(pinned.err)")
        #expect(pinned.err.contains("warning: this run could not be recorded"), "\(pinned.err)")
        let failed = try f.lifeboat(["pin", "no-such-backup"])
        #expect(failed.status == 1, "the command's own status, not the recording's")
        chmod(f.runs, 0o700)
        #expect(try f.log().runs.map(\.command) == ["init", "backup"])
    }

    @Test func noSecretIsRecorded() throws {
        let server = try TestPostgres.require()
        let f = try Fixture(server: server)
        defer { f.dir.remove() }
        let second = "Second-\(UInt32.random(in: 0...UInt32.max))-Secret"
        let third = "Third-\(UInt32.random(in: 0...UInt32.max))-Secret"
        #expect(try f.lifeboat(["key", "add", "--passphrase-env", "LB_NEW"], environment: ["LB_NEW": second]).status == 0)
        #expect(try f.lifeboat(["key", "add", "--passphrase-command", "printf \(third)"]).status == 0)
        #expect(try f.lifeboat(["key", "add", "--passphrase-env", "LB_UNSET"]).status != 0)
        let raw = try f.lifeboat(["log", "--json"])
        for secret in [f.passphrase, second, third] {
            #expect(!raw.out.contains(secret), "a secret in the log")
        }
        let log = try JSONDecoder().decode(Log.self, from: Data(raw.out.utf8))
        #expect(log.runs.map(\.command) == ["init", "key add", "key add", "key add"])
        #expect(log.runs.map(\.exit_code).prefix(3) == [0, 0, 0] && log.runs[3].exit_code != 0)
        #expect(log.runs[2].arguments.contains("(not recorded)"))
        #expect(log.runs[1].arguments.contains("LB_NEW"), "the variable's name is recorded, not its value")
    }
}
