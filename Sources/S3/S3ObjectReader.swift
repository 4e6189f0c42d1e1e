import Foundation
import NIOCore
import Repository

/// Streams an object out in ranged GETs of `readChunkSize` bytes, fetching the
/// next chunk while the current one is read, so memory stays at two chunks
/// whatever the object's size. A chunk whose connection drops is fetched
/// again from its offset. Every chunk after the first is pinned to the first
/// one's ETag (`If-Match`), so an object replaced mid-read fails instead of
/// mixing two versions.
final class S3ObjectReader: ObjectSource {
    private let storage: S3Storage
    private let key: String
    private let chunkSize: Int
    private var size: Int64 = 0
    private var etag: String?
    private var current: ByteBuffer
    /// Offset of the first byte after `current`.
    private var offset: Int64 = 0
    private var ahead: (offset: Int64, response: EventLoopFuture<S3Response>)?

    init(storage: S3Storage, key: String) throws {
        self.storage = storage
        self.key = key
        chunkSize = storage.configuration.readChunkSize
        current = ByteBuffer()
        current = try fetch(at: 0, prefetched: nil)
        offset = Int64(current.readableBytes)
        startNext()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if current.readableBytes == 0 {
            guard offset < size else { return 0 }
            let prefetched = ahead?.offset == offset ? ahead?.response : nil
            ahead = nil
            current = try fetch(at: offset, prefetched: prefetched)
            guard current.readableBytes > 0 else {
                throw StorageError.io(operation: "read", path: storage.url(key), reason: "the object ended at byte \(offset) of \(size)")
            }
            offset += Int64(current.readableBytes)
            startNext()
        }
        let count = min(buffer.count, current.readableBytes)
        current.withUnsafeReadableBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<count]))
        }
        current.moveReaderIndex(forwardBy: count)
        return count
    }

    private func request(at start: Int64) -> S3Request {
        var headers = [("range", "bytes=\(start)-\(start + Int64(chunkSize) - 1)")]
        if let etag { headers.append(("if-match", etag)) }
        return S3Request(method: .GET, key: storage.bucketKey(key), headers: headers)
    }

    private func startNext() {
        guard offset < size else { return }
        ahead = (offset, storage.client.start(request(at: offset), maxBody: chunkSize + 4096))
    }

    /// The chunk at `start`: the prefetched response on the first attempt,
    /// a new request on retries.
    private func fetch(at start: Int64, prefetched: EventLoopFuture<S3Response>?) throws -> ByteBuffer {
        let response = try storage.configuration.retry.run("read", storage.url(key)) { attempt -> S3Response in
            let response = if attempt == 1, let prefetched {
                try S3Client.wait(for: prefetched)
            } else {
                try storage.client.send(request(at: start), maxBody: chunkSize + 4096)
            }
            switch response.status {
            case 200, 206: return response
            case 404 where start == 0: throw StorageError.notFound(key: key)
            case 416 where start == 0: return response  // an empty object
            default: throw response.serviceError
            }
        }
        if start == 0 {
            etag = response.headers.first(name: "etag")
            size = Self.totalSize(response) ?? 0
        }
        return response.status == 416 ? ByteBuffer() : (response.body ?? ByteBuffer())
    }

    /// The object's size from `Content-Range: bytes 0-9/1234`, or from
    /// `Content-Length` when the store answered the whole object.
    private static func totalSize(_ response: S3Response) -> Int64? {
        if response.status == 200 {
            return response.headers.first(name: "content-length").flatMap { Int64($0) }
        }
        return response.headers.first(name: "content-range")?.split(separator: "/").last.flatMap { Int64($0) }
    }
}
