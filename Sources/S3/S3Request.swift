import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One request to the bucket, before signing.
struct S3Request {
    var method: HTTPMethod
    /// The object's full key in the bucket; nil for the bucket itself.
    var key: String?
    /// Decoded query parameters; an empty value is a bare name (`?uploads`).
    var query: [(String, String)] = []
    /// Headers to send and sign (besides the ones the client adds for signing).
    var headers: [(String, String)] = []
    var body: ByteBuffer?
    /// Put the body's SHA-256 into the signature even over TLS (small XML
    /// bodies, where hashing costs nothing).
    var signsBody = false
}

/// A complete response: status, headers, and the whole (bounded) body.
struct S3Response {
    let status: Int
    let headers: HTTPHeaders
    let body: ByteBuffer?

    var bytes: [UInt8] { body.map { Array($0.readableBytesView) } ?? [] }

    /// Status 2xx.
    var isSuccess: Bool { (200..<300).contains(status) }

    /// The error this response stands for: code and message from its XML body.
    var serviceError: S3ServiceError {
        let document = S3XMLElement.parse(bytes)
        return S3ServiceError(status: status, code: document?.value("Code"), message: document?.value("Message"),
                              bucketRegion: headers.first(name: "x-amz-bucket-region") ?? document?.value("Region"))
    }

    /// Throws the response's error unless the status is 2xx.
    func requireSuccess() throws -> S3Response {
        guard isSuccess else { throw serviceError }
        return self
    }
}
