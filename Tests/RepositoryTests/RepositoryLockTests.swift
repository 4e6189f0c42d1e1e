import Foundation
import LifeboatTestSupport
import Repository
import Testing

/// Run locks: one holder at a time, stale ones taken over, live ones reported.
@Suite struct RepositoryLockTests {
    static func repository(_ dir: TemporaryDirectory) throws -> SealedRepository {
        try SealedRepository.create(storage: LocalStorage(root: dir.appending("repo")),
                                    secrets: [(KeyringTests.keyFileSecret, .hkdf(salt: [1, 2, 3]))], now: Date())
    }

    final class Outcomes: @unchecked Sendable {
        let lock = NSLock()
        var acquired = 0
        var refused = 0
        var held: [RepositoryLock] = []
    }

    @Test func concurrentAttemptsLetExactlyOneIn() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repository = try Self.repository(dir)
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do {
                let lock = try RepositoryLock.acquire("lms/lock", in: repository, command: "backup \(index)") { _ in }
                outcomes.lock.withLock { outcomes.acquired += 1; outcomes.held.append(lock) }
            } catch is RepositoryLock.Error {
                outcomes.lock.withLock { outcomes.refused += 1 }
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        #expect(outcomes.acquired == 1)
        #expect(outcomes.refused == 7)
        outcomes.held.forEach { $0.release() }
        #expect(try repository.storage.stat("lms/lock") == nil, "released lock is gone")
        _ = try RepositoryLock.acquire("lms/lock", in: repository, command: "next") { _ in }
    }

    @Test func heldLockNamesItsHolder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repository = try Self.repository(dir)
        let first = try RepositoryLock.acquire("lms/lock", in: repository, command: "backup") { _ in }
        defer { first.release() }
        let error = try #require(throws: RepositoryLock.Error.self) {
            try RepositoryLock.acquire("lms/lock", in: repository, command: "prune") { _ in }
        }
        #expect(error.localizedDescription.contains("backup (pid \(getpid())"))
    }

    func plant(_ holder: LockHolder, in repository: SealedRepository) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try repository.putSealed("lms/lock", bytes: Array(try encoder.encode(holder)))
    }

    @Test func lockOfADeadProcessOnThisHostIsTakenOverWithAWarning() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repository = try Self.repository(dir)
        // A pid that surely existed and is gone: a finished child.
        let child = try LifeboatTestSupport.spawnAndReap("/bin/true")
        try plant(LockHolder(host: ProcessInfo.processInfo.hostName, pid: child, user: "root", command: "backup", startedAt: Date(), token: "old"), in: repository)
        var warnings: [String] = []
        let lock = try RepositoryLock.acquire("lms/lock", in: repository, command: "backup") { warnings.append($0) }
        defer { lock.release() }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("no longer running") == true)
    }

    @Test func lockOfAnotherHostIsNeverTakenOver() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repository = try Self.repository(dir)
        try plant(LockHolder(host: "db2.example", pid: 1, user: "postgres", command: "backup", startedAt: Date(), token: "x"), in: repository)
        let error = try #require(throws: RepositoryLock.Error.self) {
            try RepositoryLock.acquire("lms/lock", in: repository, command: "backup") { _ in }
        }
        #expect(error.localizedDescription.contains("on db2.example"))
        #expect(error.localizedDescription.contains("delete the lock object"))
    }
}
