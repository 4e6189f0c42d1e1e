import ExternalProgram
import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// No secret leaves lifeboat: not in the argv of any process it spawns (read
/// from /proc while pg_dump and pg_basebackup run), not on stdout or stderr,
/// in text or JSON, in success or failure; and everything it writes to the
/// repository or a restored data directory is private (files 0600,
/// directories 0700).
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "timezone": "'UTC'", "wal_keep_size": "'256MB'"]), .serialized)
struct SecretsTests {
    static let passphrase = "correct horse battery staple 93f1"
    static let pgPassword = "pg-secret-4471-never-shown"

    /// Every process's command line, NULs as spaces, by pid.
    static func commandLines() -> [String: String] {
        var lines: [String: String] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where entry.allSatisfy(\.isNumber) {
            guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else { continue }
            lines[entry] = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        }
        return lines
    }

    /// Runs lifeboat in the background and reads every process's argv until it
    /// ends; returns what it printed and every command line seen.
    static func watch(_ fixture: PhysicalFixture, _ arguments: [String], environment: [String: String]) throws -> (out: String, seen: Set<String>) {
        let program = Program(LifeboatBinary.path, arguments + ["--policy", fixture.policy], environment: environment, user: OSUser.serverUser)
        let stream = try ProgramOutputStream(program)
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let done = Atomic(false)
        let poller = Thread {
            while !done.value {
                for line in commandLines().values { done.insert(line) }
                usleep(2_000)
            }
        }
        poller.start()
        while true {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { break }
            output += buffer[0..<n]
        }
        try stream.finish()
        done.value = true
        return (String(decoding: output, as: UTF8.self), done.lines)
    }

    /// A flag and the command lines collected, shared with the polling thread.
    final class Atomic: @unchecked Sendable {
        private let lock = NSLock()
        private var flag: Bool
        private var collected = Set<String>()
        init(_ value: Bool) { flag = value }
        var value: Bool {
            get { lock.withLock { flag } }
            set { lock.withLock { flag = newValue } }
        }
        func insert(_ line: String) { _ = lock.withLock { collected.insert(line) } }
        var lines: Set<String> { lock.withLock { collected } }
    }

    static func mode(_ path: String) -> (mode: mode_t, isDirectory: Bool, isLink: Bool) {
        var info = stat()
        lstat(path, &info)
        return (info.st_mode & 0o7777, (info.st_mode & S_IFMT) == S_IFDIR, (info.st_mode & S_IFMT) == S_IFLNK)
    }

    /// Paths under `root` (root included) readable, writable or searchable by group or others.
    static func widePermissions(under root: String) -> [String] {
        var wide: [String] = []
        let top = mode(root)
        if top.mode & 0o077 != 0 { wide.append(".: \(String(top.mode, radix: 8))") }
        for relative in FileManager.default.subpaths(atPath: root) ?? [] {
            let entry = mode(root + "/" + relative)
            if entry.isLink { continue }
            if entry.mode & 0o077 != 0 { wide.append("\(relative): \(String(entry.mode, radix: 8))") }
        }
        return wide
    }

    @Test func noSecretInArgvOutputOrErrorsAndEveryFileIsPrivate() throws {
        let server = try TestPostgres.require()
        let environment = ["LB_PASS": Self.passphrase, "PGPASSWORD": Self.pgPassword]
        let fixture = try PhysicalFixture(server: server, name: "secret", environment: environment)
        defer { fixture.dir.remove() }
        let keyFile = fixture.dir.appending("secret.key")
        let keyHex = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(keyHex.count == 64)
        #expect(Self.mode(keyFile).mode == 0o600, "init writes the key file 0600")
        let added = try fixture.lifeboat(["key", "add", "--passphrase-env", "LB_PASS"])
        #expect(added.status == 0, "\(added.err)")
        let db = try server.connect()
        try db.query("CREATE TABLE IF NOT EXISTS bulk AS SELECT g, md5(g::text) AS t FROM generate_series(1, 300000) g")

        let secrets = [keyHex, Self.passphrase, Self.pgPassword]
        func leaked(_ text: String) -> [String] { secrets.filter { text.contains($0) } }

        var everything = Set<String>()
        let physical = try Self.watch(fixture, ["backup", "--type", "physical", "--json"], environment: environment)
        everything.formUnion(physical.seen)
        #expect(physical.seen.contains { $0.contains("pg_basebackup") }, "pg_basebackup was seen running")
        let logical = try Self.watch(fixture, ["backup", "--type", "logical", "--json"], environment: environment)
        everything.formUnion(logical.seen)
        #expect(logical.seen.contains { $0.contains("pg_dump") }, "pg_dump was seen running")
        let leaks = everything.filter { !leaked($0).isEmpty }
        #expect(leaks.isEmpty, "secrets in argv: \(leaks)")
        #expect(leaked(physical.out + logical.out).isEmpty)

        // Output of ordinary and failing commands, text and JSON, never shows a secret.
        var outputs: [String] = []
        for command in [["list"], ["list", "--json"], ["verify", "--json"], ["check", "--json"], ["key", "list"], ["key", "list", "--json"]] {
            let result = try fixture.lifeboat(command)
            outputs.append(result.out + result.err)
        }
        // A passphrase policy with the wrong passphrase, and a passphrase command that fails loudly.
        let policyText = try String(contentsOfFile: fixture.policy, encoding: .utf8)
        let passphrasePolicy = fixture.dir.appending("passphrase.yaml")
        // The passphrase command prints the passphrase, then fails: its stdout must never be reported.
        let passphraseFile = fixture.dir.appending("passphrase.txt")
        try Data((Self.passphrase + "\n").utf8).write(to: URL(fileURLWithPath: passphraseFile))
        if let user = OSUser.serverUser { try OSUser.chown(passphraseFile, to: user) }
        let keyLine = try #require(policyText.split(separator: "\n").first { $0.contains("key_file:") })
        for (encryption, env) in [("passphrase_env: LB_PASS", ["LB_PASS": "wrong " + Self.passphrase]),
                                  ("passphrase_env: LB_PASS", environment),
                                  ("passphrase_command: \"cat \(passphraseFile); echo vault is sealed >&2; exit 3\"", environment),
                                  ("passphrase_command: \"cat \(passphraseFile)\"", environment)] {
            try Data(policyText.replacingOccurrences(of: String(keyLine), with: "  " + encryption).utf8).write(to: URL(fileURLWithPath: passphrasePolicy))
            if let user = OSUser.serverUser { try OSUser.chown(passphrasePolicy, to: user) }
            for json in [false, true] {
                let result = try LifeboatBinary.run(["list", "--policy", passphrasePolicy] + (json ? ["--json"] : []), environment: env, user: OSUser.serverUser)
                outputs.append(result.output + result.stderr)
            }
        }
        // A key file that is not a key: the message must not echo its contents.
        let original = try Data(contentsOf: URL(fileURLWithPath: keyFile))
        try Data((keyHex.dropLast(2) + "zz\n").utf8).write(to: URL(fileURLWithPath: keyFile))
        let badKey = try fixture.lifeboat(["list", "--json"])
        #expect(badKey.status != 0)
        outputs.append(badKey.out + badKey.err)
        try original.write(to: URL(fileURLWithPath: keyFile))
        for output in outputs {
            #expect(leaked(output).isEmpty, "a secret in: \(output)")
        }
        #expect(!leaked(outputs.joined()).contains(Self.passphrase))

        // Everything in the repository and in a restored data directory is private.
        let restored = fixture.restoreDirectory("restored")
        let restore = try fixture.lifeboat(["restore", "--data-dir", restored, "--archive-mode", "off"])
        #expect(restore.status == 0, "\(restore.err)")
        #expect(leaked(restore.out + restore.err).isEmpty)
        let repositoryWide = Self.widePermissions(under: fixture.dir.appending("repo"))
        #expect(repositoryWide.isEmpty, "group/other bits in the repository: \(repositoryWide.prefix(20))")
        let restoredWide = Self.widePermissions(under: restored)
        #expect(restoredWide.isEmpty, "group/other bits in the restored data directory: \(restoredWide.prefix(20))")
        for file in FileManager.default.subpaths(atPath: fixture.dir.appending("repo")) ?? [] {
            let contents = FileManager.default.contents(atPath: fixture.dir.appending("repo/" + file)) ?? Data()
            #expect(leaked(String(decoding: contents, as: UTF8.self)).isEmpty, "a secret stored in plain text in \(file)")
        }
    }
}
