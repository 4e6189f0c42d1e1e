import Foundation
import Repository
import S3
import Seal

/// Opening the policy's repository: its storage backend, and unlocking it with
/// the policy's secrets.
public enum RepositoryAccess {
    /// The storage backend for the policy's repository URL. An S3 repository
    /// takes its credentials from the policy's credentials file or the
    /// environment, and its region from the policy or the environment (see
    /// `S3CredentialResolver`); missing ones are an `S3ConfigurationError`.
    public static func storage(for policy: Policy, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Storage {
        switch policy.repository.location {
        case let .local(path):
            return LocalStorage(root: path)
        case let .s3(bucket, prefix):
            let settings = policy.repository.s3
            let region = S3Configuration.region(policy: settings?.region, environment: environment)
            let resolver = S3CredentialResolver(accessKeyEnv: settings?.accessKeyEnv, secretKeyEnv: settings?.secretKeyEnv,
                                                sessionTokenEnv: settings?.sessionTokenEnv, credentialsFile: settings?.credentialsFile,
                                                profile: settings?.profile)
            let credentials = try resolver.resolve(environment: environment, home: environment["HOME"])
            let endpoint = try S3Endpoint(endpoint: settings?.endpoint, region: region, bucket: bucket, pathStyle: settings?.pathStyle ?? false)
            return S3Storage(configuration: S3Configuration(endpoint: endpoint, region: region, credentials: credentials, prefix: prefix))
        }
    }

    /// The repository, unlocked with the policy's key file or passphrase.
    public static func unlock(_ policy: Policy) throws -> SealedRepository {
        try SealedRepository.unlock(storage: try storage(for: policy), secrets: try policy.encryption.unlockSecrets())
    }
}
