import Foundation
import NIOCore
import Repository
import Seal

/// The sink of one put. Bytes collect in a part buffer; an object that fits in
/// one part goes up in a single PUT when the body is done. A larger one
/// becomes a multipart upload: each full part is sent in the background
/// (`MultipartParts`) while the next fills, and the upload is completed only
/// after the body returned and every part arrived.
///
/// Part sizes start at the configured part size and double every 1000 parts,
/// so S3's limit of 10,000 parts allows objects far larger than 10,000 parts
/// of the first size.
final class S3Upload: ObjectSink {
    private let storage: S3Storage
    private let key: String
    private let bucketKey: String
    private let mode: PutMode
    /// Random, stored as the object's metadata: tells our own earlier attempt
    /// of a conditional write apart from somebody else's object.
    private let token: String
    private var buffer: ByteBuffer
    private var parts: MultipartParts?
    private var nextPart = 1

    static let tokenHeader = "x-amz-meta-lifeboat-upload"
    static let maximumParts = 10_000

    init(storage: S3Storage, key: String, mode: PutMode) throws {
        self.storage = storage
        self.key = key
        bucketKey = storage.bucketKey(key)
        self.mode = mode
        token = try SecureRandom.bytes(16).hexString
        buffer = ByteBufferAllocator().buffer(capacity: min(64 << 10, storage.configuration.partSize))
    }

    private func partSize(_ number: Int) -> Int {
        storage.configuration.partSize << ((number - 1) / 1000)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try parts?.checkFailure()
        var offset = 0
        while offset < bytes.count {
            // A full buffer is sent only once more bytes arrive, so an object
            // of exactly one part still goes up in a single PUT.
            if buffer.readableBytes == partSize(nextPart) { try sendPart() }
            let count = min(partSize(nextPart) - buffer.readableBytes, bytes.count - offset)
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
            offset += count
        }
    }

    /// Publishes the object: the single PUT, or the last part and CompleteMultipartUpload.
    func finish() throws {
        guard let parts else {
            try putWhole()
            return
        }
        try sendPart()
        let etags = try parts.waitForAll()
        try complete(parts.uploadID, etags)
    }

    /// After a failure: waits for parts still in flight, then aborts the
    /// multipart upload (best effort; `removeLeftovers` finds what this misses).
    func abandon() {
        guard let parts else { return }
        parts.settle()
        try? Self.abort(storage: storage, key: key, bucketKey: bucketKey, uploadID: parts.uploadID)
    }

    // MARK: Requests

    private var conditionHeaders: [(String, String)] {
        mode == .createOnly ? [("if-none-match", "*")] : []
    }

    private func putWhole() throws {
        let request = S3Request(method: .PUT, key: bucketKey, headers: conditionHeaders + [(Self.tokenHeader, token)], body: buffer)
        _ = try storage.perform("store", key, request) { response in
            response.status == 412 ? try resolvePreconditionFailure(response) : try response.requireSuccess()
        }
    }

    private func sendPart() throws {
        if parts == nil { parts = MultipartParts(uploadID: try create()) }
        guard let parts else { return }
        guard nextPart <= Self.maximumParts else {
            throw StorageError.io(operation: "store", path: storage.url(key), reason: "the object needs more than \(Self.maximumParts) parts")
        }
        storage.uploadSlots.acquire()
        let number = nextPart
        let part = buffer
        nextPart += 1
        buffer = ByteBufferAllocator().buffer(capacity: partSize(nextPart))
        parts.launch(number, part, storage: storage, key: key, bucketKey: bucketKey)
    }

    private func create() throws -> String {
        let request = S3Request(method: .POST, key: bucketKey, query: [("uploads", "")], headers: [(Self.tokenHeader, token)])
        guard let response = try storage.perform("start uploading", key, request),
              let uploadID = S3XMLElement.parse(response.bytes)?.value("UploadId"), !uploadID.isEmpty else {
            throw StorageFailure.make("start uploading", storage.url(key), "the store returned no upload id", attempts: nil)
        }
        return uploadID
    }

    private func complete(_ uploadID: String, _ etags: [(number: Int, etag: String)]) throws {
        let xml = "<CompleteMultipartUpload>"
            + etags.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(xmlEscaped($0.etag))</ETag></Part>" }.joined()
            + "</CompleteMultipartUpload>"
        let request = S3Request(method: .POST, key: bucketKey, query: [("uploadId", uploadID)], headers: conditionHeaders,
                                body: ByteBuffer(string: xml), signsBody: true)
        _ = try storage.perform("complete", key, request) { response in
            switch response.status {
            case 412:
                return try resolvePreconditionFailure(response)
            case 404 where response.serviceError.code == "NoSuchUpload":
                // Gone: completed by an earlier attempt whose answer was lost, or aborted.
                guard try isOurs() else { throw response.serviceError }
                return response
            default:
                // A 200 may still carry an error: S3 reports late failures in the body.
                let response = try response.requireSuccess()
                if let document = S3XMLElement.parse(response.bytes), document.name == "Error" {
                    throw S3ServiceError(status: 200, code: document.value("Code"), message: document.value("Message"), bucketRegion: nil)
                }
                return response
            }
        }
    }

    /// A conditional write found an object: ours, if an earlier attempt got
    /// through before its answer was lost; otherwise somebody else's.
    private func resolvePreconditionFailure(_ response: S3Response) throws -> S3Response {
        guard try isOurs() else { throw StorageError.alreadyExists(key: key) }
        return response
    }

    private func isOurs() throws -> Bool {
        let response = try storage.client.send(S3Request(method: .HEAD, key: bucketKey))
        return response.status == 200 && response.headers.first(name: Self.tokenHeader) == token
    }

    /// Aborts an unfinished multipart upload; one already gone is fine.
    static func abort(storage: S3Storage, key: String, bucketKey: String, uploadID: String) throws {
        let request = S3Request(method: .DELETE, key: bucketKey, query: [("uploadId", uploadID)])
        _ = try storage.perform("abort the upload of", key, request) { response in
            response.status == 404 ? response : try response.requireSuccess()
        }
    }
}
