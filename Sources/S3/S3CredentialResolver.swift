import Foundation

/// Finds the credentials for an S3 repository, in this order:
/// 1. what the policy names: the variables `repository.s3.access_key_env`,
///    `secret_key_env`, `session_token_env` (named but unset is an error), or
///    the file `repository.s3.credentials_file` with its `profile` (missing,
///    or readable by group or others, is an error);
/// 2. the standard `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`;
/// 3. the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
///    `~/.aws/credentials`), profile `AWS_PROFILE` or `default`.
public struct S3CredentialResolver: Sendable {
    /// Variable names from the policy; nil where it names none.
    public var accessKeyEnv: String?
    /// See `accessKeyEnv`.
    public var secretKeyEnv: String?
    /// See `accessKeyEnv`.
    public var sessionTokenEnv: String?
    /// The credentials file the policy names (`repository.s3.credentials_file`).
    public var credentialsFile: String?
    /// Its profile; nil for `default`.
    public var profile: String?

    /// A resolver for the variables or the file the policy names.
    public init(accessKeyEnv: String? = nil, secretKeyEnv: String? = nil, sessionTokenEnv: String? = nil,
                credentialsFile: String? = nil, profile: String? = nil) {
        self.accessKeyEnv = accessKeyEnv
        self.secretKeyEnv = secretKeyEnv
        self.sessionTokenEnv = sessionTokenEnv
        self.credentialsFile = credentialsFile
        self.profile = profile
    }

    /// The credentials, from `environment` and the home directory `home`.
    public func resolve(environment: [String: String], home: String?) throws -> S3Credentials {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func required(_ name: String, _ purpose: String) throws -> String {
            guard let found = value(name) else { throw S3ConfigurationError.missingVariable(name, purpose: purpose) }
            return found
        }
        let tokenVariable = sessionTokenEnv ?? "AWS_SESSION_TOKEN"
        let token = sessionTokenEnv == nil ? value(tokenVariable) : try required(tokenVariable, "session token")

        if accessKeyEnv != nil || secretKeyEnv != nil {
            return S3Credentials(accessKeyID: try required(accessKeyEnv ?? "AWS_ACCESS_KEY_ID", "access key id"),
                                 secretAccessKey: try required(secretKeyEnv ?? "AWS_SECRET_ACCESS_KEY", "secret access key"),
                                 sessionToken: token)
        }
        if let credentialsFile {
            try Self.requirePrivate(credentialsFile)
            return try Self.credentials(in: credentialsFile, profile: profile ?? "default", policyNamed: true,
                                        sessionToken: sessionTokenEnv == nil ? nil : token)
        }
        if value("AWS_ACCESS_KEY_ID") != nil || value("AWS_SECRET_ACCESS_KEY") != nil {
            return S3Credentials(accessKeyID: try required("AWS_ACCESS_KEY_ID", "access key id"),
                                 secretAccessKey: try required("AWS_SECRET_ACCESS_KEY", "secret access key"),
                                 sessionToken: token)
        }

        let file = value("AWS_SHARED_CREDENTIALS_FILE") ?? ((home ?? NSHomeDirectory()) as NSString).appendingPathComponent(".aws/credentials")
        return try Self.credentials(in: file, profile: value("AWS_PROFILE") ?? "default", policyNamed: false,
                                    sessionToken: sessionTokenEnv == nil ? nil : token)
    }

    /// The keys of `profile` in the shared-credentials-format `file`; the
    /// profile's own session token unless `sessionToken` overrides it.
    private static func credentials(in file: String, profile profileName: String, policyNamed: Bool, sessionToken: String?) throws -> S3Credentials {
        guard let credentialsFile = try SharedCredentialsFile.load(file) else {
            if policyNamed { throw S3ConfigurationError.missingCredentialsFile(file) }
            throw S3ConfigurationError.noCredentials(credentialsFile: file, profile: profileName)
        }
        guard let profile = credentialsFile.profiles[profileName] else {
            if policyNamed { throw S3ConfigurationError.missingProfile(credentialsFile: file, profile: profileName) }
            throw S3ConfigurationError.noCredentials(credentialsFile: file, profile: profileName)
        }
        guard let accessKey = profile["aws_access_key_id"], !accessKey.isEmpty else {
            throw S3ConfigurationError.incompleteProfile(credentialsFile: file, profile: profileName, missing: "aws_access_key_id")
        }
        guard let secret = profile["aws_secret_access_key"], !secret.isEmpty else {
            throw S3ConfigurationError.incompleteProfile(credentialsFile: file, profile: profileName, missing: "aws_secret_access_key")
        }
        let fileToken = profile["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: sessionToken ?? fileToken)
    }

    /// Refuses a credentials file that group or others may read or write, as
    /// key files are refused.
    private static func requirePrivate(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { throw S3ConfigurationError.missingCredentialsFile(path) }
            throw S3ConfigurationError.unreadableCredentialsFile(path, reason: String(cString: strerror(errno)))
        }
        let mode = UInt32(status.st_mode) & 0o777
        guard mode & 0o077 == 0 else { throw S3ConfigurationError.unsafeCredentialsFile(path, mode: mode) }
    }
}
