import Foundation

/// The S3 repository cannot be set up as configured: missing credentials, an
/// endpoint that cannot be used. Messages name variables and files, never a
/// secret's value. The command line maps these to the "bad configuration" exit code.
public enum S3ConfigurationError: Error, LocalizedError, Equatable {
    /// A variable the policy names (or the standard one) is unset or empty.
    case missingVariable(String, purpose: String)
    /// No credentials anywhere: not in the environment, not in the shared credentials file.
    case noCredentials(credentialsFile: String, profile: String)
    /// The shared credentials file has the profile but not both keys.
    case incompleteProfile(credentialsFile: String, profile: String, missing: String)
    /// The shared credentials file exists but cannot be read.
    case unreadableCredentialsFile(String, reason: String)
    /// `repository.s3.endpoint` cannot be used.
    case invalidEndpoint(String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .missingVariable(name, purpose):
            return "the environment variable \(name) (the S3 \(purpose)) is not set"
        case let .noCredentials(file, profile):
            return "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or name other variables with "
                + "repository.s3.access_key_env and secret_key_env), or add a [\(profile)] profile to \(file)"
        case let .incompleteProfile(file, profile, missing):
            return "the [\(profile)] profile in \(file) has no \(missing)"
        case let .unreadableCredentialsFile(file, reason):
            return "cannot read the S3 credentials file \(file): \(reason)"
        case let .invalidEndpoint(endpoint, reason):
            return "repository.s3.endpoint \(endpoint): \(reason)"
        }
    }
}
