import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Repository
import Seal

/// A repository in an S3 bucket (AWS S3, MinIO, Ceph RGW, …), under a key prefix.
///
/// Objects are stored under `prefix/key`, the same layout as a local
/// repository. S3 makes an object visible only when its upload completes, so
/// the crash-safety rule holds by construction: a small object is one PUT; a
/// large one is a multipart upload completed only after the whole body was
/// written — a put that fails or is killed leaves at most an unfinished
/// multipart upload, which listings do not show and `removeLeftovers` aborts.
/// Create-only puts are conditional writes (`If-None-Match: *`), so an
/// existing object is never replaced.
///
/// Every request is safe to repeat, so each is retried (`RetryPolicy`) on
/// server errors, throttling and dropped connections (a retried
/// CreateMultipartUpload whose first attempt did arrive leaves an unused
/// upload, which `removeLeftovers` aborts). A conditional write
/// whose first attempt did reach the store before the connection dropped is
/// recognized on its retry by the random upload token it carries in its
/// metadata.
///
/// The `Storage` protocol is synchronous; requests run on the shared
/// `HTTPClient`'s event loops while the calling thread waits. Any number of
/// threads may use one `S3Storage` at once.
public struct S3Storage: Storage {
    /// Where the repository is and how it is reached.
    public let configuration: S3Configuration
    let client: S3Client
    let uploadSlots: UploadSlots

    /// A storage on `http` (the process's shared client unless a test brings its own).
    public init(configuration: S3Configuration, http: HTTPClient = SharedHTTPClient.client) {
        self.configuration = configuration
        client = S3Client(http: http, configuration: configuration)
        uploadSlots = UploadSlots(configuration.uploadsInFlight)
    }

    public var location: String {
        "s3://\(configuration.endpoint.bucket)" + (configuration.prefix.isEmpty ? "" : "/\(configuration.prefix)")
    }

    /// The key in the bucket of repository object `key`.
    func bucketKey(_ key: String) -> String {
        configuration.prefix.isEmpty ? key : "\(configuration.prefix)/\(key)"
    }

    /// The repository key of bucket key `bucketKey` (the prefix taken off).
    func repositoryKey(_ bucketKey: String) -> String {
        configuration.prefix.isEmpty ? bucketKey : String(bucketKey.dropFirst(configuration.prefix.count + 1))
    }

    /// `s3://bucket/prefix/key`, for messages.
    func url(_ key: String) -> String { "\(location)/\(key)" }

    /// Sends one request with retries.
    func perform(_ operation: String, _ key: String, _ request: S3Request, maxBody: Int = 16 << 20,
                 _ handle: (S3Response) throws -> S3Response? = { try $0.requireSuccess() }) throws -> S3Response? {
        try configuration.retry.run(operation, url(key)) { _ in try handle(try client.send(request, maxBody: maxBody)) }
    }

    public func put(_ key: String, mode: PutMode, _ body: (ObjectSink) throws -> Void) throws {
        try ObjectKey.validate(key)
        let upload = try S3Upload(storage: self, key: key, mode: mode)
        do {
            try body(upload)
            try upload.finish()
        } catch {
            upload.abandon()
            throw error
        }
    }

    public func open(_ key: String) throws -> ObjectSource {
        try ObjectKey.validate(key)
        return try S3ObjectReader(storage: self, key: key)
    }

    public func read(_ key: String, range: Range<Int64>) throws -> [UInt8] {
        try ObjectKey.validate(key)
        guard !range.isEmpty else {
            guard try stat(key) != nil else { throw StorageError.notFound(key: key) }
            return []
        }
        let request = S3Request(method: .GET, key: bucketKey(key), headers: [("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")])
        let response = try perform("read", key, request, maxBody: Int(range.count) + 4096) { response in
            switch response.status {
            case 200, 206: return response
            case 416: return nil
            case 404: throw StorageError.notFound(key: key)
            default: throw response.serviceError
            }
        }
        guard let response else { return [] }
        let bytes = response.bytes
        // A store that ignores Range answers 200 with the whole object.
        if response.status == 200 {
            let start = Int(min(range.lowerBound, Int64(bytes.count)))
            return Array(bytes[start..<Int(min(range.upperBound, Int64(bytes.count)))])
        }
        return Array(bytes.prefix(Int(range.count)))
    }

    public func list(prefix: String) throws -> [ObjectInfo] {
        try S3Listing.objects(in: self, prefix: prefix)
    }

    public func stat(_ key: String) throws -> ObjectInfo? {
        try ObjectKey.validate(key)
        let response = try perform("stat", key, S3Request(method: .HEAD, key: bucketKey(key))) { response in
            if response.status == 404 { return nil }
            return try response.requireSuccess()
        }
        guard let response else { return nil }
        let size = response.headers.first(name: "content-length").flatMap { Int64($0) } ?? 0
        let modified = response.headers.first(name: "last-modified").flatMap(HTTPDate.parse) ?? Date(timeIntervalSince1970: 0)
        return ObjectInfo(key: key, size: size, modified: modified)
    }

    public func delete(_ key: String) throws {
        try ObjectKey.validate(key)
        _ = try perform("delete", key, S3Request(method: .DELETE, key: bucketKey(key))) { response in
            response.status == 404 ? response : try response.requireSuccess()
        }
    }

    /// Deletes up to 1000 objects per request (`DeleteObjects`).
    public func deleteAll(_ keys: [String]) throws {
        for key in keys { try ObjectKey.validate(key) }
        var start = 0
        while start < keys.count {
            let batch = Array(keys[start..<min(keys.count, start + 1000)])
            try deleteBatch(batch)
            start += batch.count
        }
    }

    private func deleteBatch(_ keys: [String]) throws {
        let xml = "<Delete><Quiet>true</Quiet>"
            + keys.map { "<Object><Key>\(xmlEscaped(bucketKey($0)))</Key></Object>" }.joined() + "</Delete>"
        let body = Array(xml.utf8)
        let md5 = Data(try MD5.digest(body)).base64EncodedString()
        let request = S3Request(method: .POST, key: nil, query: [("delete", "")], headers: [("content-md5", md5)],
                                body: ByteBuffer(bytes: body), signsBody: true)
        guard let response = try perform("delete objects under", "", request),
              let result = S3XMLElement.parse(response.bytes) else {
            throw StorageFailure.make("delete objects under", location, "the store's answer to DeleteObjects is not XML", attempts: nil)
        }
        if let failed = result.all("Error").first {
            let key = failed.value("Key").map(repositoryKey) ?? "?"
            throw StorageError.io(operation: "delete", path: url(key),
                                  reason: "\(failed.value("Code") ?? "error"): \(failed.value("Message") ?? "")")
        }
    }

    /// Nothing to do: S3 acknowledges a write only once it is durable.
    public func makeDurable(_ key: String) throws {
        try ObjectKey.validate(key)
    }

    /// Aborts multipart uploads under the prefix that were started before
    /// `cutoff` (what a killed put leaves behind); returns their keys.
    public func removeLeftovers(olderThan cutoff: Date) throws -> [String] {
        var removed: [String] = []
        for upload in try S3Listing.multipartUploads(in: self) where upload.initiated < cutoff {
            try S3Upload.abort(storage: self, key: upload.key, bucketKey: upload.bucketKey, uploadID: upload.uploadID)
            removed.append(upload.key)
        }
        return removed
    }
}
