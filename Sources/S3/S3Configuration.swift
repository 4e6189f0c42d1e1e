import Foundation

/// Everything an `S3Storage` needs: where the bucket is, who signs, and the
/// knobs of the data path.
public struct S3Configuration: Sendable {
    /// The bucket and how to address it.
    public var endpoint: S3Endpoint
    /// The region requests are signed for.
    public var region: String
    public var credentials: S3Credentials
    /// Key prefix of the repository inside the bucket, without slashes at
    /// either end; empty for the bucket's root.
    public var prefix: String
    /// Objects up to this size go up in one PUT; larger ones as a multipart
    /// upload whose parts start at this size (5 MiB at least, S3's minimum).
    public var partSize: Int
    /// Part uploads in flight at once, across every put of this storage. A
    /// put's memory is one part being filled plus its share of these.
    public var uploadsInFlight: Int
    /// Bytes per ranged GET when streaming an object out; one more chunk is
    /// fetched ahead while the current one is consumed.
    public var readChunkSize: Int
    /// Keys per listing page (S3's maximum is 1000).
    public var listPageSize: Int
    /// How failed requests are tried again.
    public var retry: RetryPolicy
    /// Longest one request may take, body included, before it counts as failed.
    public var requestTimeout: TimeInterval
    /// Sign each body's SHA-256. Off by default over TLS or loopback, where the
    /// transport already protects the bytes and the sealed objects authenticate
    /// themselves; on for plain HTTP to another machine.
    public var signsPayloads: Bool

    /// Settings with lifeboat's defaults: 8 MiB parts, four in flight, 8 MiB
    /// read chunks, pages of 1000 keys, six tries per request.
    public init(endpoint: S3Endpoint, region: String, credentials: S3Credentials, prefix: String,
                partSize: Int = 8 << 20, uploadsInFlight: Int = 4, readChunkSize: Int = 8 << 20,
                listPageSize: Int = 1000, retry: RetryPolicy = RetryPolicy(), requestTimeout: TimeInterval = 300,
                signsPayloads: Bool? = nil) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.prefix = prefix.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.partSize = max(5 << 20, partSize)
        self.uploadsInFlight = max(1, uploadsInFlight)
        self.readChunkSize = max(64 << 10, readChunkSize)
        self.listPageSize = min(1000, max(1, listPageSize))
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.signsPayloads = signsPayloads ?? (endpoint.scheme == "http" && !endpoint.isLoopback)
    }

    /// The region to sign for when the policy names none: `AWS_REGION`, then
    /// `AWS_DEFAULT_REGION`, then us-east-1.
    public static func region(policy: String?, environment: [String: String]) -> String {
        for candidate in [policy, environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]] {
            if let candidate, !candidate.isEmpty { return candidate }
        }
        return "us-east-1"
    }
}
