import Foundation
import LifeboatEngine
import LifeboatTestSupport
import Repository
import Seal
import Testing

/// The run history's records and their hash chain, on a real (local) sealed
/// repository: each record follows the one written before it, concurrent runs
/// fork and are joined, and deletions and edits are found.
@Suite struct RunHistoryTests {
    struct Setup {
        let dir: TemporaryDirectory
        let repository: SealedRepository
        let history: RunHistory

        init() throws {
            dir = try TemporaryDirectory()
            let secret = UnlockSecret(kind: .keyFile, bytes: try SecureRandom.bytes(32), origin: "test key")
            repository = try SealedRepository.create(storage: LocalStorage(root: dir.appending("repo")),
                                                     secrets: [(secret, .hkdf(salt: try SecureRandom.bytes(16)))], now: Date())
            history = RunHistory(repository: repository, cluster: "lms")
        }

        func key(_ id: String) -> String { "lms/runs/\(id).json" }

        /// Stores `record` under `id` exactly as given (links included), as a concurrent writer would have.
        func plant(_ record: RunRecord, id: String) throws {
            var record = record
            record.id = id
            try repository.putSealed(key(id), bytes: try RepositoryJSON.encode(record), mode: .createOnly)
        }

        func sha256(_ id: String) throws -> String {
            try SHA256Hasher.digest(try repository.getSealed(key(id))).hexString
        }

        func chain() throws -> RunChain { RunChain(try history.read()) }
    }

    func finished(_ command: String, exitCode: Int32 = 0, error: String? = nil) -> RunRecord {
        var record = RunRecord(command: command, arguments: [command, "--policy", "/etc/lifeboat/lms.yaml"])
        record.finish(exitCode: exitCode, error: error)
        return record
    }

    @Test func eachRecordFollowsTheOneWrittenBeforeIt() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        let first = try s.history.store(finished("init"))
        let second = try s.history.store(finished("backup"))
        let third = try s.history.store(finished("key rotate"))
        #expect(first.previous == nil)
        let (firstHash, secondHash, thirdHash) = (try s.sha256(first.id), try s.sha256(second.id), try s.sha256(third.id))
        #expect(second.previous == firstHash && second.previousID == first.id)
        #expect(third.previous == secondHash && third.previousID == second.id)
        #expect(third.id.contains("-key-rotate-"))
        #expect(first.merged.isEmpty && second.merged.isEmpty && third.merged.isEmpty)

        let chain = try s.chain()
        #expect(chain.intact && chain.findings.isEmpty, "\(chain.findings)")
        #expect(chain.records == 3)
        #expect(chain.headID == third.id && chain.head == thirdHash)
        #expect(try s.history.runs().map(\.command) == ["init", "backup", "key rotate"])
    }

    @Test func concurrentRunsForkAndTheNextRunJoinsThem() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        let base = try s.history.store(finished("backup"))
        // Two runs that both saw `base` as the newest record.
        var a = finished("prune")
        a.previous = try s.sha256(base.id)
        a.previousID = base.id
        var b = finished("verify")
        b.previous = a.previous
        b.previousID = base.id
        try s.plant(a, id: "29990101T000000.001Z-prune-aaaa")
        try s.plant(b, id: "29990101T000000.002Z-verify-bbbb")

        let forked = try s.chain()
        #expect(forked.intact, "a fork is what concurrent runs leave, not damage")
        #expect(forked.findings.filter { $0.severity == .warning }.count == 2, "\(forked.findings)") // the fork, and two open heads
        #expect(forked.findings.contains { $0.detail.contains("recorded concurrently") && $0.record == base.id })

        // The next run follows the newest and merges the other.
        let next = try s.history.store(finished("key rotate"), at: Date(timeIntervalSince1970: 32_503_680_001))
        #expect(next.previousID == "29990101T000000.002Z-verify-bbbb")
        #expect(next.merged == [RunRecord.Link(id: "29990101T000000.001Z-prune-aaaa", sha256: try s.sha256("29990101T000000.001Z-prune-aaaa"))])
        let joined = try s.chain()
        #expect(joined.intact)
        #expect(joined.findings.map(\.severity) == [.warning], "only the fork remains worth a word: \(joined.findings)")
        #expect(joined.headID == next.id)

        // Deleting the tip of the merged branch is found too.
        try s.repository.storage.delete(s.key("29990101T000000.001Z-prune-aaaa"))
        let broken = try s.chain()
        #expect(!broken.intact)
        #expect(broken.findings.contains { $0.severity == .error && $0.record == "29990101T000000.001Z-prune-aaaa" && $0.detail.contains("is missing") })
    }

    @Test func aDeletedMiddleRecordIsAGapNamedByItsSuccessor() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        let records = try ["init", "backup", "verify", "prune"].map { try s.history.store(finished($0)) }
        try s.repository.storage.delete(s.key(records[2].id))
        let chain = try s.chain()
        #expect(!chain.intact)
        let error = try #require(chain.findings.first { $0.severity == .error })
        #expect(error.record == records[2].id)
        #expect(error.detail.contains("\(records[2].id) is missing") && error.detail.contains(records[3].id))
        // The deleted first record is found the same way.
        try s.repository.storage.delete(s.key(records[0].id))
        #expect(try s.chain().findings.contains { $0.record == records[0].id && $0.severity == .error })
    }

    @Test func aRecordRewrittenWithTheKeysBreaksTheChainAndACopyFailsToOpen() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        let records = try ["backup", "backup", "verify"].map { try s.history.store(finished($0)) }
        // Someone holding the keys rewrites the failed backup as a success.
        var forged = try #require(try s.history.runs().first { $0.id == records[1].id })
        forged.error = "edited"
        try s.repository.storage.delete(s.key(records[1].id))
        try s.plant(forged, id: records[1].id)
        let chain = try s.chain()
        #expect(!chain.intact)
        #expect(chain.findings.contains { $0.severity == .error && $0.record == records[1].id && $0.detail.contains("was altered") })

        // A record copied under another name does not even open: the name is part of its key.
        let copy = s.dir.appending("repo/lms/runs/29990101T000000.000Z-backup-0000.json")
        try FileManager.default.copyItem(atPath: s.dir.appending("repo/\(s.key(records[0].id))"), toPath: copy)
        let copied = try s.chain()
        #expect(copied.findings.contains { $0.severity == .error && $0.record == "29990101T000000.000Z-backup-0000" && $0.detail.contains("cannot be read") })
        #expect(throws: (any Error).self) { try s.history.runs() }
    }

    @Test func recordsWrittenBeforeTheChainStillRead() throws {
        let s = try Setup()
        defer { s.dir.remove() }
        let legacy = """
            {"command": "backup", "type": "logical", "started_at": "2020-01-01T02:00:00.000000Z", "finished_at": "2020-01-01T02:00:05.500000Z",
             "outcome": "failed", "backup_id": null, "size_bytes": null, "stored_bytes": null, "error": "pg_dump failed",
             "exit_code": 1, "user": "postgres", "host": "db1"}
            """
        try s.repository.putSealed(s.key("20200101T020000Z-1a2b-backup"), bytes: Array(legacy.utf8), mode: .createOnly)
        let next = try s.history.store(finished("backup"))
        #expect(next.previousID == "20200101T020000Z-1a2b-backup")
        let runs = try s.history.runs()
        #expect(runs.first?.id == "20200101T020000Z-1a2b-backup")
        #expect(runs.first?.duration == 5.5 && runs.first?.arguments == [] && runs.first?.pid == nil)
        #expect(try s.chain().intact)
    }

    @Test func everyKeyIsWrittenAndNoSecretIsKept() throws {
        var record = RunRecord(command: "key add", arguments: ["key", "add", "--passphrase-command", "echo hunter2", "--policy", "p.yaml",
                                                              "--passphrase-command=echo hunter3"])
        #expect(record.arguments == ["key", "add", "--passphrase-command", "(not recorded)", "--policy", "p.yaml",
                                     "--passphrase-command=(not recorded)"])
        record.finish(exitCode: 6, error: nil)
        #expect(record.outcome == .failed && record.error == "exit status 6")
        #expect(record.user == RepositoryLock.currentUserName() && record.host == ProcessInfo.processInfo.hostName && record.pid == getpid())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(RepositoryJSON.encode(record))) as? [String: Any])
        #expect(Set(object.keys) == ["id", "command", "type", "target", "arguments", "dry_run", "started_at", "finished_at", "duration",
                                     "outcome", "exit_code", "error", "backup_id", "drill_id", "size_bytes", "stored_bytes", "details",
                                     "user", "host", "pid", "lifeboat_version", "previous", "previous_id", "merged"])
        #expect(object["backup_id"] is NSNull)
    }
}
