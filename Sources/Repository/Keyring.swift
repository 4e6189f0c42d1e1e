import Foundation
import Pipeline
import Seal

/// The keyring, `keys/keyring`: every key generation's master key. It is itself
/// a sealed object of generation 0, whose "master key" is the repository key
/// unwrapped from a key slot.
///
/// Plaintext (JSON):
/// ```json
/// {"current": 2,
///  "generations": [{"id": 1, "created_at": "…", "key": "<base64, 32 bytes>"},
///                  {"id": 2, "created_at": "…", "key": "<base64>"}],
///  "retired": [{"id": 0, "retired_at": "…"}]}
/// ```
/// New objects are sealed with `current`. Rotation adds a generation; retiring
/// one deletes its key for good (crypto-shredding), allowed only once no object
/// uses it.
public struct KeyringContents: Codable, Sendable {
    public struct Generation: Codable, Sendable {
        public var id: UInt32
        public var createdAt: Date
        public var key: String
        enum CodingKeys: String, CodingKey { case id, key; case createdAt = "created_at" }
    }

    public struct Retired: Codable, Sendable {
        public var id: UInt32
        public var retiredAt: Date
        enum CodingKeys: String, CodingKey { case id; case retiredAt = "retired_at" }
    }

    public var current: UInt32
    public var generations: [Generation]
    public var retired: [Retired]
}

/// An unlocked keyring: derives per-object keys for every live generation.
public final class Keyring: ObjectKeyProvider, @unchecked Sendable {
    public static let objectKey = "keys/keyring"

    /// The repository key (opens the keyring, generation 0).
    let repositoryKey: SecretKey
    public let contents: KeyringContents
    private let masters: [UInt32: SecretKey]

    init(repositoryKey: SecretKey, contents: KeyringContents) throws {
        self.repositoryKey = repositoryKey
        self.contents = contents
        var masters: [UInt32: SecretKey] = [:]
        for generation in contents.generations {
            guard let bytes = Data(base64Encoded: generation.key), bytes.count == 32 else {
                throw KeyringError.malformedKeyring("generation \(generation.id) has no valid key")
            }
            masters[generation.id] = SecretKey(bytes)
        }
        guard masters[contents.current] != nil else { throw KeyringError.malformedKeyring("current generation \(contents.current) has no key") }
        self.masters = masters
    }

    public var currentGeneration: UInt32 { contents.current }

    public func objectKey(generation: UInt32, salt: [UInt8], object: String) throws -> SecretKey {
        guard let master = masters[generation] else { throw SealedObjectError.unknownGeneration(object: object, generation: generation) }
        return try ObjectKeyDerivation.derive(master: master, salt: salt, object: object)
    }

    /// Seals and unseals the keyring object itself (generation 0, the repository key).
    struct RepositoryKeyProvider: ObjectKeyProvider {
        let repositoryKey: SecretKey
        var currentGeneration: UInt32 { 0 }
        func objectKey(generation: UInt32, salt: [UInt8], object: String) throws -> SecretKey {
            guard generation == 0 else { throw SealedObjectError.unknownGeneration(object: object, generation: generation) }
            return try ObjectKeyDerivation.derive(master: repositoryKey, salt: salt, object: object)
        }
    }
}

/// Problems with keys. Wrong secrets are exit code 6; a damaged keyring or slot
/// is an integrity failure (5).
public enum KeyringError: Error, LocalizedError, Equatable {
    /// No slot of this kind opens with the secret given.
    case noSlotOpens(kind: String, repository: String)
    /// The repository has no slot of the kind the policy offers a secret for.
    case noSlotOfKind(kind: String, repository: String)
    case malformedSlot(String)
    case malformedKeyring(String)
    /// Removing this slot would leave the repository without any.
    case lastSlot(id: String)
    case unknownSlot(id: String)
    case unknownGeneration(UInt32)
    case generationInUse(UInt32, objects: Int, example: String)
    case currentGeneration(UInt32)
    case notARepository(location: String)
    /// `repository.json` exists but is not a readable header.
    case damagedHeader(location: String)
    case alreadyInitialised(location: String, id: String)

    public var errorDescription: String? {
        switch self {
        case let .noSlotOpens(kind, repository):
            return "cannot unlock the repository at \(repository): the \(kind) opens none of its key slots (wrong \(kind), or its slot was altered?)"
        case let .noSlotOfKind(kind, repository):
            return "cannot unlock the repository at \(repository): it has no \(kind) slot; add one with `lifeboat key add` using a secret that works"
        case let .malformedSlot(detail):
            return "a key slot is damaged: \(detail)"
        case let .malformedKeyring(detail):
            return "the keyring is damaged: \(detail)"
        case let .lastSlot(id):
            return "slot \(id) is the repository's last key slot; removing it would lock everyone out. Add another slot first"
        case let .unknownSlot(id):
            return "the repository has no key slot \(id) (see `lifeboat key list`)"
        case let .unknownGeneration(id):
            return "the keyring has no key generation \(id) (see `lifeboat key list`)"
        case let .generationInUse(id, count, example):
            return "key generation \(id) still seals \(count) object(s), e.g. \(example); it can be retired once prune has removed them"
        case let .currentGeneration(id):
            return "key generation \(id) is the current one; rotate first, then retire it once nothing uses it"
        case let .damagedHeader(location):
            return "the repository header \(location)/repository.json is damaged (not valid JSON); restore it from a copy of the repository, "
                + "or rewrite it from runbooks/repository-format.md with the repository's id"
        case let .notARepository(location):
            return "\(location) is not a lifeboat repository (no repository.json); create one with `lifeboat init`"
        case let .alreadyInitialised(location, id):
            return "\(location) is already a lifeboat repository (id \(id)); init refuses to touch it. "
                + "Other clusters can share it: point their policy's repository.url here and use the same key file or passphrase"
        }
    }
}
