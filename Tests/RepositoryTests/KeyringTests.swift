import Foundation
import LifeboatTestSupport
import Pipeline
import Repository
import Seal
import Testing

/// Key slots, the keyring and generations on a real local repository.
@Suite struct KeyringTests {
    static let keyFileSecret = UnlockSecret(kind: .keyFile, bytes: Array(repeating: 0x42, count: 32), origin: "test key file")
    static let passphrase = UnlockSecret(kind: .passphrase, bytes: Array("correct horse".utf8), origin: "test passphrase")
    /// Cheap scrypt parameters: these tests check the format, not the cost.
    static func cheapScrypt() throws -> KeySlot.KDF { .scrypt(salt: try SecureRandom.bytes(16), n: 1024, r: 8, p: 1) }

    static func create(_ dir: TemporaryDirectory) throws -> SealedRepository {
        try SealedRepository.create(
            storage: LocalStorage(root: dir.appending("repo")),
            secrets: [(keyFileSecret, .hkdf(salt: try SecureRandom.bytes(16))), (passphrase, try cheapScrypt())],
            now: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }

    @Test func createdRepositoryUnlocksWithEitherSecretAndNotWithAWrongOne() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let created = try Self.create(dir)
        try created.putSealed("lms/data", bytes: Array("payload".utf8))
        let storage = LocalStorage(root: dir.appending("repo"))
        for secret in [Self.keyFileSecret, Self.passphrase] {
            let repository = try SealedRepository.unlock(storage: storage, secrets: [secret])
            #expect(try repository.getSealed("lms/data") == Array("payload".utf8))
        }
        let wrong = UnlockSecret(kind: .passphrase, bytes: Array("wrong".utf8), origin: "x")
        #expect(throws: KeyringError.noSlotOpens(kind: "passphrase", repository: storage.location)) {
            try SealedRepository.unlock(storage: storage, secrets: [wrong])
        }
        let wrongFile = UnlockSecret(kind: .keyFile, bytes: Array(repeating: 1, count: 32), origin: "x")
        #expect(throws: KeyringError.self) { try SealedRepository.unlock(storage: storage, secrets: [wrongFile]) }
        // A wrong first secret does not stop a right second one.
        _ = try SealedRepository.unlock(storage: storage, secrets: [wrongFile, Self.passphrase])
    }

    @Test func onlyTheHeaderAndSlotsArePlaintext() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repository = try Self.create(dir)
        try repository.putSealed("lms/secret", bytes: Array("the quarterly numbers".utf8))
        for object in try repository.storage.list(prefix: "") {
            let bytes = try repository.storage.get(object.key)
            if object.key == RepositoryHeader.key || object.key.hasPrefix(KeySlot.directory) { continue }
            #expect(Array(bytes.prefix(8)) == SealedHeader.magic, "\(object.key) is sealed")
            #expect(!String(decoding: bytes, as: UTF8.self).contains("quarterly"))
        }
    }

    @Test func initRefusesAnExistingRepository() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try Self.create(dir)
        #expect(throws: KeyringError.alreadyInitialised(location: dir.appending("repo"), id: first.header.id)) { _ = try Self.create(dir) }
    }

    @Test func slotsCanBeAddedAndRemovedButNeverTheLast() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repository = try Self.create(dir)
        let second = UnlockSecret(kind: .passphrase, bytes: Array("second".utf8), origin: "x")
        let added = try repository.addSlot(second, kdf: .pbkdf2(salt: try SecureRandom.bytes(16), iterations: 1000), now: Date())
        #expect(try repository.slots().count == 3)
        _ = try SealedRepository.unlock(storage: repository.storage, secrets: [second])
        for slot in try repository.slots() where slot.id != added.id { try repository.removeSlot(id: slot.id) }
        #expect(throws: KeyringError.lastSlot(id: added.id)) { try repository.removeSlot(id: added.id) }
        #expect(throws: KeyringError.self) { try SealedRepository.unlock(storage: repository.storage, secrets: [Self.passphrase]) }
        _ = try SealedRepository.unlock(storage: repository.storage, secrets: [second])
    }

    @Test func rotationKeepsOldObjectsReadableAndSealsNewOnesWithTheNewGeneration() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repository = try Self.create(dir)
        try repository.putSealed("lms/old", bytes: [1])
        #expect(try repository.rotate(now: Date()) == 2)
        try repository.putSealed("lms/new", bytes: [2])
        let reopened = try SealedRepository.unlock(storage: repository.storage, secrets: [Self.keyFileSecret])
        #expect(try reopened.getSealed("lms/old") == [1])
        #expect(try reopened.getSealed("lms/new") == [2])
        func generation(_ key: String) throws -> UInt32 {
            try SealedHeader(parsing: try repository.storage.read(key, range: 0..<55), object: key).generation
        }
        #expect(try generation("lms/old") == 1)
        #expect(try generation("lms/new") == 2)
        #expect(try reopened.generationUsage()[1]?.count == 1)
    }

    @Test func retiringAGenerationShredsItsObjects() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repository = try Self.create(dir)
        try repository.putSealed("lms/old", bytes: [1])
        _ = try repository.rotate(now: Date())
        #expect(throws: KeyringError.currentGeneration(2)) { try repository.retire(generation: 2, now: Date()) }
        #expect(throws: KeyringError.generationInUse(1, objects: 1, example: "lms/old")) { try repository.retire(generation: 1, now: Date()) }
        // Keep a copy of the object, as an attacker with an old disk might.
        let copy = try repository.storage.get("lms/old")
        try repository.storage.delete("lms/old")
        try repository.retire(generation: 1, now: Date())
        try repository.storage.put("lms/old", bytes: copy)
        let reopened = try SealedRepository.unlock(storage: repository.storage, secrets: [Self.passphrase])
        #expect(throws: SealedObjectError.unknownGeneration(object: "lms/old", generation: 1)) { _ = try reopened.getSealed("lms/old") }
        #expect(reopened.keyring.contents.retired.map(\.id) == [1])
    }

    @Test func aSlotMovedToAnotherRepositoryDoesNotOpenIt() throws {
        let a = try TemporaryDirectory()
        let b = try TemporaryDirectory()
        defer { a.remove(); b.remove() }
        let repoA = try Self.create(a)
        let repoB = try Self.create(b)
        // Replace B's slots with A's (same secrets): the slot is bound to A's id.
        for slot in try repoB.slots() { try repoB.storage.delete(slot.objectKey) }
        for slot in try repoA.slots() { try repoB.storage.put(slot.objectKey, bytes: try repoA.storage.get(slot.objectKey)) }
        #expect(throws: KeyringError.self) { try SealedRepository.unlock(storage: repoB.storage, secrets: [Self.keyFileSecret]) }
    }
}
