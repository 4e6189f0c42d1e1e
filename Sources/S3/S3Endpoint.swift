import Foundation

/// Where requests for one bucket go, and how objects are addressed there:
/// path-style (`https://host/bucket/key`) or virtual-hosted
/// (`https://bucket.host/key`).
public struct S3Endpoint: Sendable, Equatable {
    /// `https`, or `http` (signed payloads unless loopback).
    public let scheme: String
    /// Host name or address, without the bucket.
    public let host: String
    /// The port when the endpoint names one.
    public let port: Int?
    /// The bucket every request goes to.
    public let bucket: String
    /// True for path-style addressing, false for virtual-hosted.
    public let pathStyle: Bool

    /// - Parameters:
    ///   - endpoint: `https://host[:port]`, or nil for AWS's endpoint of `region`.
    ///   - pathStyle: the policy's `path_style`. Path-style is used anyway when
    ///     the endpoint is an IP address or `localhost`, or the bucket name cannot
    ///     be a host name label (as AWS's own SDKs do).
    public init(endpoint: String?, region: String, bucket: String, pathStyle: Bool) throws {
        let text = endpoint ?? "https://s3.\(region).amazonaws.com"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw S3ConfigurationError.invalidEndpoint(text, reason: "write it as https://host or https://host:port")
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil,
              components.user == nil, components.password == nil else {
            throw S3ConfigurationError.invalidEndpoint(text, reason: "give only the scheme, host and port: the bucket comes from repository.url")
        }
        self.scheme = scheme
        self.host = host.lowercased()
        port = components.port
        self.bucket = bucket
        self.pathStyle = pathStyle || Self.isAddressOrLocal(self.host) || !Self.isHostLabel(bucket, tls: scheme == "https")
    }

    /// `host[:port]` of requests, as the `Host` header carries it.
    public var authority: String {
        let name = pathStyle ? host : "\(bucket).\(host)"
        let bracketed = name.contains(":") ? "[\(name)]" : name
        guard let port, port != (scheme == "https" ? 443 : 80) else { return bracketed }
        return "\(bracketed):\(port)"
    }

    /// The URI-encoded path of an object (or of the bucket itself for nil).
    public func path(for key: String?) -> String {
        let encodedKey = key.map(SigV4Encoding.path) ?? ""
        return pathStyle ? "/\(SigV4Encoding.component(bucket))/\(encodedKey)" : "/\(encodedKey)"
    }

    /// True when plain HTTP can only reach this machine.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    private static func isAddressOrLocal(_ host: String) -> Bool {
        if host == "localhost" || host.contains(":") { return true }
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    /// A bucket name usable as the first label of a host name: lower-case
    /// letters, digits and hyphens (dots only without TLS, whose wildcard
    /// certificates cover one label).
    private static func isHostLabel(_ bucket: String, tls: Bool) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-" + (tls ? "" : "."))
        return (3...63).contains(bucket.count) && bucket.allSatisfy(allowed.contains)
            && !bucket.hasPrefix("-") && !bucket.hasSuffix("-")
    }
}
