import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Seal

/// Signs and sends requests to one bucket over the shared HTTP client.
/// Thread-safe; `send` blocks its calling thread (never call it on an event loop).
struct S3Client: Sendable {
    let http: HTTPClient
    let endpoint: S3Endpoint
    let signer: SigV4Signer
    let requestTimeout: TimeInterval
    let signsPayloads: Bool

    init(http: HTTPClient, configuration: S3Configuration) {
        self.http = http
        endpoint = configuration.endpoint
        signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        requestTimeout = configuration.requestTimeout
        signsPayloads = configuration.signsPayloads
    }

    /// Sends `request` and waits for the whole response (its body at most
    /// `maxBody` bytes). Transport failures become `S3TransportError`; any
    /// HTTP status is returned.
    func send(_ request: S3Request, maxBody: Int = 16 << 20) throws -> S3Response {
        try Self.wait(for: start(request, maxBody: maxBody))
    }

    /// Starts `request`; the response arrives later (for reading ahead).
    func start(_ request: S3Request, maxBody: Int = 16 << 20) -> EventLoopFuture<S3Response> {
        let loop = http.eventLoopGroup.any()
        let prepared: HTTPClient.Request
        do {
            prepared = try prepare(request, date: Date())
        } catch {
            return loop.makeFailedFuture(error)
        }
        let accumulator = ResponseAccumulator(request: prepared, maxBodySize: maxBody)
        let deadline = NIODeadline.now() + .milliseconds(Int64(requestTimeout * 1000))
        return http.execute(request: prepared, delegate: accumulator, deadline: deadline).futureResult
            .map { S3Response(status: Int($0.status.code), headers: $0.headers, body: $0.body) }
    }

    /// Blocks until `future` completes; failures of the exchange itself become
    /// `S3TransportError`.
    static func wait(for future: EventLoopFuture<S3Response>) throws -> S3Response {
        do {
            return try future.wait()
        } catch let error as S3ProtocolError {
            throw error
        } catch {
            throw S3TransportError(underlying: String(describing: error))
        }
    }

    /// The request as sent: URL, signed headers, `Authorization`.
    func prepare(_ request: S3Request, date: Date) throws -> HTTPClient.Request {
        let path = endpoint.path(for: request.key)
        let query = SigV4Encoding.query(request.query)
        let payloadHash: String
        if let body = request.body, body.readableBytes > 0 {
            payloadHash = request.signsBody || signsPayloads
                ? try SHA256Hasher.digest(Array(body.readableBytesView)).hexString
                : SigV4Signer.unsignedPayload
        } else {
            payloadHash = SigV4Signer.emptyPayloadHash
        }
        var signed = request.headers
        signed.append(("host", endpoint.authority))
        signed.append(("x-amz-date", SigV4Date(date).timestamp))
        signed.append(("x-amz-content-sha256", payloadHash))
        if let token = signer.credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        let authorization = try signer.authorization(method: request.method.rawValue, canonicalURI: path, query: request.query,
                                                     headers: signed, payloadHash: payloadHash, date: date)
        var headers = HTTPHeaders(signed)
        headers.add(name: "authorization", value: authorization)
        let url = "\(endpoint.scheme)://\(endpoint.authority)\(path)\(query.isEmpty ? "" : "?" + query)"
        let body: HTTPClient.Body? = request.body.map { .byteBuffer($0) }
            ?? ([.PUT, .POST].contains(request.method) ? .byteBuffer(ByteBuffer()) : nil)
        return try HTTPClient.Request(url: url, method: request.method, headers: headers, body: body)
    }
}
