import Foundation
import Seal

/// AWS Signature Version 4 for header-authenticated requests
/// (`Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`).
///
/// The signer is given exactly the headers to sign; it never sees or adds the
/// ones an HTTP client inserts on its own (`Content-Length`, `Connection`).
struct SigV4Signer: Sendable {
    let credentials: S3Credentials
    let region: String
    let service: String

    init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The value of the `Authorization` header.
    /// - Parameters:
    ///   - canonicalURI: the path exactly as sent, already URI-encoded (`SigV4Encoding.path`).
    ///   - query: decoded query parameters; an empty value is a bare name (`?uploads`).
    ///   - headers: the headers to sign, including `host` and `x-amz-date`.
    ///   - payloadHash: hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    func authorization(method: String, canonicalURI: String, query: [(String, String)], headers: [(String, String)],
                       payloadHash: String, date: Date) throws -> String {
        let stamp = SigV4Date(date)
        let canonicalHeaders = headers
            .map { (name: $0.0.lowercased(), value: Self.trimmed($0.1)) }
            .sorted { $0.name < $1.name }
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            method,
            canonicalURI,
            SigV4Encoding.query(query),
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(stamp.day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", stamp.timestamp, scope,
                            try SHA256Hasher.digest(Array(canonicalRequest.utf8)).hexString].joined(separator: "\n")
        let signature = try HMACSHA256.authenticate(key: try signingKey(day: stamp.day), message: stringToSign).hexString
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// HMAC chain from the secret down to the day's key for this region and service.
    private func signingKey(day: String) throws -> [UInt8] {
        var key = try HMACSHA256.authenticate(key: Array("AWS4\(credentials.secretAccessKey)".utf8), message: day)
        for part in [region, service, "aws4_request"] {
            key = try HMACSHA256.authenticate(key: key, message: part)
        }
        return key
    }

    /// Header values are signed trimmed, with inner runs of spaces collapsed to one.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    /// The payload hash that says "the body is not part of the signature".
    static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of no bytes.
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}

/// The two renderings of a request time that signing uses, both UTC.
struct SigV4Date {
    /// `20130524T000000Z`, the `x-amz-date` header.
    let timestamp: String
    /// `20130524`, the credential scope's day.
    let day: String

    init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        day = String(format: "%04d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        timestamp = day + String(format: "T%02d%02d%02dZ", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}

/// URI encoding as SigV4 defines it: every byte except the unreserved
/// `A-Z a-z 0-9 - . _ ~` becomes `%XY` with upper-case hex.
enum SigV4Encoding {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// One path segment or query component; `/` is encoded too.
    static func component(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A path: each `/`-separated segment encoded once, the slashes kept (S3
    /// neither normalizes nor double-encodes paths).
    static func path(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { component(String($0)) }.joined(separator: "/")
    }

    /// The canonical query: names and values encoded, sorted by name then value,
    /// `name=value` joined by `&`.
    static func query(_ parameters: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = parameters.map { (component($0.0), component($0.1)) }
        let sorted = encoded.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }
}
