import Foundation
import Repository
import Seal

/// Opening the policy's repository: its storage backend, and unlocking it with
/// the policy's secrets.
public enum RepositoryAccess {
    /// A repository kind this lifeboat cannot reach yet.
    public struct UnsupportedLocation: Error, LocalizedError {
        public let url: String
        public var errorDescription: String? {
            "repository.url \(url): S3 repositories are not supported by this lifeboat build yet; use a local directory"
        }
    }

    /// The storage backend for the policy's repository URL.
    public static func storage(for policy: Policy) throws -> Storage {
        switch policy.repository.location {
        case let .local(path): return LocalStorage(root: path)
        case .s3: throw UnsupportedLocation(url: policy.repository.url)
        }
    }

    /// The repository, unlocked with the policy's key file or passphrase.
    public static func unlock(_ policy: Policy) throws -> SealedRepository {
        try SealedRepository.unlock(storage: try storage(for: policy), secrets: try policy.encryption.unlockSecrets())
    }
}
