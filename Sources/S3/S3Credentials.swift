/// An access key pair, and a session token for temporary credentials. Its
/// description never shows the secret or the token.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        "S3 credentials for access key \(accessKeyID)\(sessionToken == nil ? "" : " with a session token")"
    }
}
