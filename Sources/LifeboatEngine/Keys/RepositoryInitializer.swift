import Foundation
import Repository
import Seal

/// `lifeboat init`: creates the repository and its keys.
public struct RepositoryInitializer {
    public let policy: Policy
    public let now: Date
    /// KDF for passphrase slots.
    public let passphraseKDF: PassphraseKDF

    public init(policy: Policy, now: Date = Date(), passphraseKDF: PassphraseKDF = .scrypt) {
        self.policy = policy
        self.now = now
        self.passphraseKDF = passphraseKDF
    }

    /// What init did, for the report.
    public struct Outcome: Sendable {
        public var location: String
        public var repositoryID: String
        public var slots: [KeySlot]
        /// The key file created because the policy named one that did not exist.
        public var createdKeyFile: String?
        /// The new repository, unlocked.
        public var repository: SealedRepository
    }

    public func run() throws -> Outcome {
        let storage = try RepositoryAccess.storage(for: policy)
        if let existing = try? SealedRepository.readHeader(storage) {
            throw KeyringError.alreadyInitialised(location: storage.location, id: existing.id)
        }
        var secrets: [(UnlockSecret, KeySlot.KDF)] = []
        var created: String?
        let encryption = policy.encryption
        if let path = encryption.keyFile {
            let secret: UnlockSecret
            if FileManager.default.fileExists(atPath: path) {
                secret = try KeyFile.read(path)
            } else {
                secret = try KeyFile.create(path)
                created = path
            }
            secrets.append((secret, .hkdf(salt: try SecureRandom.bytes(16))))
        }
        if let variable = encryption.passphraseEnv {
            secrets.append((try Passphrase.fromEnvironment(variable), try passphraseKDF.parameters()))
        } else if let command = encryption.passphraseCommand {
            secrets.append((try Passphrase.fromCommand(command), try passphraseKDF.parameters()))
        }
        do {
            let repository = try SealedRepository.create(storage: storage, secrets: secrets, now: now)
            return Outcome(location: storage.location, repositoryID: repository.header.id, slots: try repository.slots(), createdKeyFile: created,
                           repository: repository)
        } catch {
            // A key file nobody can use yet must not be left behind to confuse the next attempt.
            if let created { unlink(created) }
            throw error
        }
    }
}

/// The passphrase KDFs lifeboat offers, with its default parameters:
/// scrypt N=2^15, r=8, p=1 (32 MiB, about 0.1 s) or PBKDF2-HMAC-SHA256 with
/// 600,000 iterations (OWASP's 2023 figure).
public enum PassphraseKDF: String, Sendable, CaseIterable {
    case scrypt
    case pbkdf2

    public func parameters() throws -> KeySlot.KDF {
        let salt = try SecureRandom.bytes(16)
        switch self {
        case .scrypt: return .scrypt(salt: salt)
        case .pbkdf2: return .pbkdf2(salt: salt)
        }
    }
}
