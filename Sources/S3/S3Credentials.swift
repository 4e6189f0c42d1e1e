/// An access key pair, and a session token for temporary credentials. Its
/// description never shows the secret or the token.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    /// The public half, shown in signatures and messages.
    public let accessKeyID: String
    /// Never logged, never in a message.
    public let secretAccessKey: String
    /// For temporary credentials; sent as `X-Amz-Security-Token`.
    public let sessionToken: String?

    /// Credentials from their parts.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        "S3 credentials for access key \(accessKeyID)\(sessionToken == nil ? "" : " with a session token")"
    }
}
