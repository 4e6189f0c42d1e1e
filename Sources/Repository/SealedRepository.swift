import Foundation
import Pipeline
import Seal

/// A secret that can open key slots: the 32 bytes of a key file, or a passphrase.
public struct UnlockSecret: Sendable {
    public var kind: KeySlot.Kind
    public var bytes: [UInt8]
    /// Where it came from, for messages (`key file /etc/lifeboat/lms.key`,
    /// `passphrase from $LIFEBOAT_PASSPHRASE`) — never the secret itself.
    public var origin: String

    public init(kind: KeySlot.Kind, bytes: [UInt8], origin: String) {
        self.kind = kind
        self.bytes = bytes
        self.origin = origin
    }
}

/// An unlocked repository: storage plus the keyring, so that objects can be
/// sealed and unsealed. Everything stored through it, except `repository.json`
/// and the key slots, is sealed.
public final class SealedRepository: @unchecked Sendable {
    public let storage: Storage
    public let header: RepositoryHeader
    public private(set) var keyring: Keyring
    /// The slot that unlocked it.
    public let unlockedSlot: String

    init(storage: Storage, header: RepositoryHeader, keyring: Keyring, unlockedSlot: String) {
        self.storage = storage
        self.header = header
        self.keyring = keyring
        self.unlockedSlot = unlockedSlot
    }

    /// The plaintext header, or `KeyringError.notARepository`.
    public static func readHeader(_ storage: Storage) throws -> RepositoryHeader {
        let bytes: [UInt8]
        do {
            bytes = try storage.get(RepositoryHeader.key, limit: 64 * 1024)
        } catch StorageError.notFound {
            throw KeyringError.notARepository(location: storage.location)
        }
        let header: RepositoryHeader
        do {
            header = try RepositoryJSON.decode(RepositoryHeader.self, from: bytes)
        } catch {
            throw KeyringError.damagedHeader(location: storage.location)
        }
        guard header.format == RepositoryHeader.formatName, header.version == RepositoryHeader.currentVersion else {
            throw KeyringError.notARepository(location: storage.location)
        }
        return header
    }

    /// Creates a repository: a random repository key wrapped in one slot per
    /// secret, a keyring with generation 1, and finally `repository.json`, whose
    /// appearance is what makes the repository exist. Refuses an existing one.
    public static func create(storage: Storage, secrets: [(UnlockSecret, KeySlot.KDF)], now: Date) throws -> SealedRepository {
        if let existing = try? readHeader(storage) {
            throw KeyringError.alreadyInitialised(location: storage.location, id: existing.id)
        }
        precondition(!secrets.isEmpty, "a repository needs at least one key slot")
        let header = RepositoryHeader(id: UUID().uuidString.lowercased(), createdAt: now)
        let repositoryKey = try SecretKey.random(count: 32)
        let firstMaster = try SecureRandom.bytes(32)
        let contents = KeyringContents(current: 1, generations: [.init(id: 1, createdAt: now, key: Data(firstMaster).base64EncodedString())], retired: [])
        let keyring = try Keyring(repositoryKey: repositoryKey, contents: contents)
        var firstSlot = ""
        for (secret, kdf) in secrets {
            let slot = try KeySlot.make(kind: secret.kind, kdf: kdf, secret: secret.bytes, repositoryKey: repositoryKey, repositoryID: header.id, now: now)
            try storage.put(slot.objectKey, bytes: try RepositoryJSON.encode(slot), mode: .createOnly)
            if firstSlot.isEmpty { firstSlot = slot.id }
        }
        let repository = SealedRepository(storage: storage, header: header, keyring: keyring, unlockedSlot: firstSlot)
        try repository.writeKeyring(contents)
        try storage.put(RepositoryHeader.key, bytes: try RepositoryJSON.encode(header), mode: .createOnly)
        return repository
    }

    /// Opens the repository with the first secret that opens a slot of its kind.
    public static func unlock(storage: Storage, secrets: [UnlockSecret]) throws -> SealedRepository {
        let header = try readHeader(storage)
        let (slots, damaged) = try listSlots(storage)
        var failure: KeyringError = .noSlotOfKind(kind: "key file or passphrase", repository: storage.location)
        for secret in secrets {
            let candidates = slots.filter { $0.kind == secret.kind }
            let kindName = secret.kind == .keyFile ? "key file" : "passphrase"
            guard !candidates.isEmpty else {
                failure = .noSlotOfKind(kind: kindName, repository: storage.location)
                continue
            }
            for slot in candidates {
                if let repositoryKey = try slot.unwrap(secret: secret.bytes, repositoryID: header.id) {
                    let keyring = try readKeyring(storage: storage, repositoryKey: repositoryKey)
                    return SealedRepository(storage: storage, header: header, keyring: keyring, unlockedSlot: slot.id)
                }
            }
            failure = .noSlotOpens(kind: kindName, repository: storage.location)
        }
        // A damaged slot is skipped while another opens; when none does, it is the likelier cause.
        if let first = damaged.first { throw KeyringError.malformedSlot(first) }
        throw failure
    }

    /// The key slots that can be read, and a description of each that cannot
    /// (not JSON, fields missing): one damaged slot must not lock out the others.
    static func listSlots(_ storage: Storage) throws -> (slots: [KeySlot], damaged: [String]) {
        var slots: [KeySlot] = []
        var damaged: [String] = []
        for info in try storage.list(prefix: KeySlot.directory) where info.key.hasSuffix(".json") {
            let bytes: [UInt8]
            do {
                bytes = try storage.get(info.key, limit: 64 * 1024)
            } catch StorageError.notFound {
                continue
            }
            do {
                slots.append(try RepositoryJSON.decode(KeySlot.self, from: bytes))
            } catch {
                damaged.append("\(info.key) is not a valid key slot (altered or truncated)")
            }
        }
        return (slots, damaged)
    }

    static func readKeyring(storage: Storage, repositoryKey: SecretKey) throws -> Keyring {
        let provider = Keyring.RepositoryKeyProvider(repositoryKey: repositoryKey)
        let bytes = try readSealed(storage: storage, key: Keyring.objectKey, keys: provider, limit: 16 << 20)
        let contents: KeyringContents
        do {
            contents = try RepositoryJSON.decode(KeyringContents.self, from: bytes)
        } catch {
            throw KeyringError.malformedKeyring("\(error)")
        }
        return try Keyring(repositoryKey: repositoryKey, contents: contents)
    }

    private func writeKeyring(_ contents: KeyringContents) throws {
        let provider = Keyring.RepositoryKeyProvider(repositoryKey: keyring.repositoryKey)
        try putSealed(Keyring.objectKey, bytes: try RepositoryJSON.encode(contents), mode: .replace, keys: provider)
        keyring = try Keyring(repositoryKey: keyring.repositoryKey, contents: contents)
    }

    // MARK: Sealed objects

    /// What a sealed put stored.
    public struct PutResult: Sendable, Equatable {
        public var plaintextBytes: Int64
        public var storedBytes: Int64
    }

    /// Streams a sealed object in: `body` writes plaintext to the sealing writer.
    @discardableResult
    public func putSealed(_ key: String, mode: PutMode = .replace, _ body: (SealingWriter) throws -> Void) throws -> PutResult {
        try putSealed(key, mode: mode, keys: keyring, body)
    }

    @discardableResult
    public func putSealed(_ key: String, bytes: [UInt8], mode: PutMode = .replace) throws -> PutResult {
        try putSealed(key, bytes: bytes, mode: mode, keys: keyring)
    }

    @discardableResult
    private func putSealed(_ key: String, bytes: [UInt8], mode: PutMode, keys: ObjectKeyProvider) throws -> PutResult {
        try putSealed(key, mode: mode, keys: keys) { try $0.write(bytes) }
    }

    private func putSealed(_ key: String, mode: PutMode, keys: ObjectKeyProvider, _ body: (SealingWriter) throws -> Void) throws -> PutResult {
        var result = PutResult(plaintextBytes: 0, storedBytes: 0)
        try storage.put(key, mode: mode) { sink in
            let writer = try SealingWriter(object: key, keys: keys, chunkSizeLog2: header.chunkSizeLog2) { try sink.write($0) }
            try body(writer)
            try writer.finish()
            result = PutResult(plaintextBytes: writer.plaintextCount, storedBytes: writer.sealedCount)
        }
        return result
    }

    /// Streams a sealed object out, authenticated chunk by chunk.
    public func openSealed(_ key: String) throws -> UnsealingReader {
        try Self.openSealed(storage: storage, key: key, keys: keyring)
    }

    /// A whole (small) sealed object.
    public func getSealed(_ key: String, limit: Int = 64 << 20) throws -> [UInt8] {
        try Self.readSealed(storage: storage, key: key, keys: keyring, limit: limit)
    }

    static func openSealed(storage: Storage, key: String, keys: ObjectKeyProvider) throws -> UnsealingReader {
        let source = try storage.open(key)
        return try UnsealingReader(object: key, keys: keys) { try source.read(into: $0) }
    }

    static func readSealed(storage: Storage, key: String, keys: ObjectKeyProvider, limit: Int) throws -> [UInt8] {
        try openSealed(storage: storage, key: key, keys: keys).readAll(limit: limit)
    }

    // MARK: Key management (callers hold the keys lock)

    public func slots() throws -> [KeySlot] { try Self.listSlots(storage).slots }

    /// Adds a slot for `secret`, wrapping the same repository key.
    public func addSlot(_ secret: UnlockSecret, kdf: KeySlot.KDF, now: Date) throws -> KeySlot {
        let slot = try KeySlot.make(kind: secret.kind, kdf: kdf, secret: secret.bytes, repositoryKey: keyring.repositoryKey, repositoryID: header.id, now: now)
        try storage.put(slot.objectKey, bytes: try RepositoryJSON.encode(slot), mode: .createOnly)
        return slot
    }

    /// Removes a slot; never the last one.
    public func removeSlot(id: String) throws {
        let all = try slots()
        guard let slot = all.first(where: { $0.id == id }) else { throw KeyringError.unknownSlot(id: id) }
        guard all.count > 1 else { throw KeyringError.lastSlot(id: id) }
        try storage.delete(slot.objectKey)
    }

    /// Starts a new key generation; every object sealed from now on uses it,
    /// older objects stay readable with their own generation.
    public func rotate(now: Date) throws -> UInt32 {
        var contents = keyring.contents
        let next = (contents.generations.map(\.id) + contents.retired.map(\.id)).max().map { $0 + 1 } ?? 1
        contents.generations.append(.init(id: next, createdAt: now, key: Data(try SecureRandom.bytes(32)).base64EncodedString()))
        contents.current = next
        try writeKeyring(contents)
        return next
    }

    /// How many objects each key generation seals (read from object headers).
    public func generationUsage() throws -> [UInt32: (count: Int, example: String)] {
        var usage: [UInt32: (count: Int, example: String)] = [:]
        for object in try storage.list(prefix: "") where object.key != RepositoryHeader.key && !object.key.hasPrefix("keys/") {
            let bytes = try storage.read(object.key, range: 0..<Int64(SealedHeader.length))
            let header = try SealedHeader(parsing: bytes, object: object.key)
            usage[header.generation, default: (0, object.key)].count += 1
        }
        return usage
    }

    /// Deletes a generation's key for good, once no object uses it.
    public func retire(generation: UInt32, now: Date) throws {
        var contents = keyring.contents
        guard contents.generations.contains(where: { $0.id == generation }) else { throw KeyringError.unknownGeneration(generation) }
        guard generation != contents.current else { throw KeyringError.currentGeneration(generation) }
        if let use = try generationUsage()[generation] {
            throw KeyringError.generationInUse(generation, objects: use.count, example: use.example)
        }
        contents.generations.removeAll { $0.id == generation }
        contents.retired.append(.init(id: generation, retiredAt: now))
        try writeKeyring(contents)
    }
}
