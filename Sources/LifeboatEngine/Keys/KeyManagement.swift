import Foundation
import Pipeline
import Repository
import Seal

/// `lifeboat key …`: slot and generation changes, each under the repository's
/// keys lock so that two operators cannot lose each other's change.
public struct KeyManagement {
    public let repository: SealedRepository
    public let now: Date
    /// Receives warnings (a stale lock taken over).
    public let warn: (String) -> Void

    public init(policy: Policy, now: Date = Date(), warn: @escaping (String) -> Void) throws {
        repository = try RepositoryAccess.unlock(policy)
        self.now = now
        self.warn = warn
    }

    public static let lockName = "keys/lock"

    private func locked<T>(_ command: String, _ body: () throws -> T) throws -> T {
        let lock = try RepositoryLock.acquire(Self.lockName, in: repository, command: command, now: now, warn: warn)
        defer { lock.release() }
        return try body()
    }

    /// Slots and generations, for `key list`.
    public struct Listing: Sendable {
        public var slots: [KeySlot]
        public var current: UInt32
        public var generations: [KeyringContents.Generation]
        public var retired: [KeyringContents.Retired]
        /// The slot that opened the repository for this run.
        public var unlockedSlot: String
    }

    public func list() throws -> Listing {
        let contents = repository.keyring.contents
        return Listing(slots: try repository.slots(), current: contents.current, generations: contents.generations,
                       retired: contents.retired, unlockedSlot: repository.unlockedSlot)
    }

    /// The new secret for `key add`.
    public enum NewSecret {
        case keyFile(path: String)
        case passphraseEnv(String)
        case passphraseCommand(String)
    }

    /// Adds a slot; a named key file that does not exist is created (0600).
    public func add(_ source: NewSecret, kdf: PassphraseKDF) throws -> (slot: KeySlot, createdKeyFile: String?) {
        try locked("key add") {
            switch source {
            case let .keyFile(path):
                let exists = FileManager.default.fileExists(atPath: path)
                let secret = exists ? try KeyFile.read(path) : try KeyFile.create(path)
                do {
                    return (try repository.addSlot(secret, kdf: .hkdf(salt: try SecureRandom.bytes(16)), now: now), exists ? nil : path)
                } catch {
                    if !exists { unlink(path) }
                    throw error
                }
            case let .passphraseEnv(variable):
                return (try repository.addSlot(try Passphrase.fromEnvironment(variable), kdf: try kdf.parameters(), now: now), nil)
            case let .passphraseCommand(command):
                return (try repository.addSlot(try Passphrase.fromCommand(command), kdf: try kdf.parameters(), now: now), nil)
            }
        }
    }

    public func remove(slot id: String) throws {
        try locked("key remove") { try repository.removeSlot(id: id) }
    }

    public func rotate() throws -> UInt32 {
        try locked("key rotate") { try repository.rotate(now: now) }
    }

    /// Retires a generation. Objects that live as long as the repository —
    /// run and drill records, the cluster identity, timeline history files —
    /// are first sealed again under the current generation (the same
    /// plaintext, so the run chain's hashes hold); backups and WAL segments
    /// are not: they keep the generation in use until prune removes them.
    public func retire(generation: UInt32) throws {
        try locked("key retire") {
            if generation != repository.keyring.currentGeneration {
                try resealLongLived(generation: generation)
            }
            try repository.retire(generation: generation, now: now)
        }
    }

    /// Whether an object outlives backups: anything outside `backups/`, and
    /// in `wal/` only the timeline history files.
    static func isLongLived(_ key: String) -> Bool {
        guard !key.contains("/backups/") else { return false }
        return !key.contains("/wal/") || key.hasSuffix(".history")
    }

    func resealLongLived(generation: UInt32) throws {
        for object in try repository.storage.list(prefix: "") where object.key != RepositoryHeader.key && !object.key.hasPrefix("keys/") {
            guard Self.isLongLived(object.key) else { continue }
            let header = try SealedHeader(parsing: try repository.storage.read(object.key, range: 0..<Int64(SealedHeader.length)), object: object.key)
            guard header.generation == generation else { continue }
            let plaintext = try repository.getSealed(object.key, limit: 64 << 20)
            try repository.putSealed(object.key, bytes: plaintext, mode: .replace)
        }
    }
}

