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
    /// The credentials file the policy names does not exist.
    case missingCredentialsFile(String)
    /// The credentials file the policy names has no such profile.
    case missingProfile(credentialsFile: String, profile: String)
    /// The credentials file the policy names may be read or written by group or others.
    case unsafeCredentialsFile(String, mode: UInt32)
    /// `repository.s3.endpoint` cannot be used.
    case invalidEndpoint(String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .missingVariable(name, purpose):
            return "the environment variable \(name) (the S3 \(purpose)) is not set"
        case let .noCredentials(file, profile):
            return "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or name other variables with "
                + "repository.s3.access_key_env and secret_key_env), name a credentials file with repository.s3.credentials_file, "
                + "or add a [\(profile)] profile to \(file)"
        case let .incompleteProfile(file, profile, missing):
            return "the [\(profile)] profile in \(file) has no \(missing)"
        case let .unreadableCredentialsFile(file, reason):
            return "cannot read the S3 credentials file \(file): \(reason)"
        case let .missingCredentialsFile(file):
            return "the S3 credentials file \(file) (repository.s3.credentials_file) does not exist"
        case let .missingProfile(file, profile):
            return "the S3 credentials file \(file) has no [\(profile)] profile (repository.s3.profile)"
        case let .unsafeCredentialsFile(file, mode):
            return "the S3 credentials file \(file) has mode \(String(mode, radix: 8)); it must be readable by its owner only: chmod 600 \(file)"
        case let .invalidEndpoint(endpoint, reason):
            return "repository.s3.endpoint \(endpoint): \(reason)"
        }
    }
}
