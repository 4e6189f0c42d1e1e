import Foundation
import LifeboatTestSupport
import Testing

/// `lifeboat init` and `lifeboat key …` as an operator runs them, with the
/// documented exit codes: 6 for a wrong secret, 2 for an unsafe key file,
/// 5 for a damaged keyring, 4 for a held lock.
@Suite struct KeyCommandTests {
    struct Setup {
        let dir: TemporaryDirectory
        let policy: String
        var keyFile: String { dir.appending("lms.key") }
        var repository: String { dir.appending("repo") }
        let environment = ["LB_PASS": "correct horse battery"]

        init() throws {
            dir = try TemporaryDirectory()
            policy = dir.appending("lms.yaml")
            let text = """
                name: lms
                postgres: {databases: [lms]}
                repository: {url: \(dir.appending("repo"))}
                encryption: {key_file: \(dir.appending("lms.key")), passphrase_env: LB_PASS}
                """
            try Data(text.utf8).write(to: URL(fileURLWithPath: policy))
        }

        func lifeboat(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
            let result = try LifeboatBinary.run(arguments + ["--policy", policy], environment: environment ?? self.environment)
            return (result.status, result.output, result.stderr)
        }
    }

    @Test func initCreatesKeyFileAndSlotsAndRefusesToRunTwice() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        let first = try s.lifeboat(["init"])
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.contains("created key file \(s.keyFile) (mode 0600)"))
        let mode = try FileManager.default.attributesOfItem(atPath: s.keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let second = try s.lifeboat(["init"])
        #expect(second.status == 1)
        #expect(second.err.contains("already a lifeboat repository"))
        let list = try s.lifeboat(["key", "list", "--json"])
        #expect(list.status == 0)
        struct Listing: Decodable { struct Slot: Decodable { let kind: String }; let slots: [Slot]; let current_generation: Int }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(list.out.utf8))
        #expect(Set(listing.slots.map(\.kind)) == ["key-file", "passphrase"])
        #expect(listing.current_generation == 1)
    }

    @Test func wrongSecretsExit6AndWriteNothing() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        #expect(try s.lifeboat(["init"]).status == 0)
        try FileManager.default.removeItem(atPath: s.keyFile)
        let before = try FileManager.default.subpathsOfDirectory(atPath: s.repository).sorted()
        let wrong = try s.lifeboat(["key", "rotate"], environment: ["LB_PASS": "hunter2-guess"])
        #expect(wrong.status == 6)
        #expect(wrong.err.contains("wrong passphrase"))
        #expect(!wrong.err.contains("hunter2"), "the secret never appears in messages")
        let unset = try s.lifeboat(["key", "rotate"], environment: [:])
        #expect(unset.status == 6)
        #expect(try FileManager.default.subpathsOfDirectory(atPath: s.repository).sorted() == before)
        // A different key file of the right shape: also 6.
        try Data((String(repeating: "ab", count: 32) + "\n").utf8).write(to: URL(fileURLWithPath: s.keyFile))
        chmod(s.keyFile, 0o600)
        #expect(try s.lifeboat(["key", "list"], environment: [:]).status == 6)
    }

    @Test func keyFileReadableByOthersIsRefusedWithExit2() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        #expect(try s.lifeboat(["init"]).status == 0)
        chmod(s.keyFile, 0o644)
        let result = try s.lifeboat(["key", "list"])
        #expect(result.status == 2)
        #expect(result.err.contains("chmod 600 \(s.keyFile)"))
    }

    @Test func rotateAddRemoveAndRetire() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        #expect(try s.lifeboat(["init"]).status == 0)
        #expect(try s.lifeboat(["key", "rotate"]).out == "key generation 2 is now current")
        #expect(try s.lifeboat(["key", "retire", "2"]).status == 1, "the current generation")
        // Run records (never pruned) sealed under generation 1 are sealed again under 2, so 1 can go.
        let retired = try s.lifeboat(["key", "retire", "1"])
        #expect(retired.status == 0, "\(retired.err)")
        #expect(try s.lifeboat(["log", "--verify"]).status == 0, "the records still read and their chain holds")
        #expect(try s.lifeboat(["key", "retire", "1"]).status == 1, "already retired")

        var env = s.environment
        env["LB_NEW"] = "second passphrase"
        let added = try s.lifeboat(["key", "add", "--passphrase-env", "LB_NEW", "--kdf", "pbkdf2"], environment: env)
        #expect(added.status == 0, "\(added.err)")
        let slotID = try #require(added.out.split(separator: " ").dropFirst(3).first.map { String($0.dropLast()) })
        #expect(try s.lifeboat(["key", "list"]).out.contains("PBKDF2-HMAC-SHA256 600000 iterations"))
        #expect(try s.lifeboat(["key", "remove", slotID]).status == 0)
        #expect(try s.lifeboat(["key", "remove", "nosuchslot"]).status == 1)
        #expect(try s.lifeboat(["key", "add"]).status == 64, "exactly one new secret source")
        #expect(try s.lifeboat(["key", "add", "--key-file", "relative.key"]).status == 64)
    }

    @Test func damagedKeyringExits5() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        #expect(try s.lifeboat(["init"]).status == 0)
        let keyring = s.repository + "/keys/keyring"
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: keyring)))
        bytes[bytes.count / 2] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: keyring))
        let result = try s.lifeboat(["key", "list"])
        #expect(result.status == 5)
        #expect(result.err.contains("keys/keyring failed authentication"))
    }

    @Test func keyChangesWaitForNobodyAndExit4WhenLocked() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        #expect(try s.lifeboat(["init"]).status == 0)
        // Another host is changing keys: the lock object is there.
        let holder = """
            {"host": "db9.example", "pid": 4242, "user": "postgres", "command": "key rotate", "started_at": "2026-11-22T01:00:00Z", "token": "t"}
            """
        try LifeboatKeysLockPlanter.plant(holder: holder, repository: s.repository, keyFile: s.keyFile)
        let result = try s.lifeboat(["key", "rotate"])
        #expect(result.status == 4)
        #expect(result.err.contains("key rotate (pid 4242, user postgres, on db9.example"))
    }
}
