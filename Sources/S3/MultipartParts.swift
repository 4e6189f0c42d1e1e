import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The parts of one multipart upload being sent in the background: each on
/// its own thread, at most as many at once as the storage's upload slots.
/// Records each part's ETag, or the first failure.
final class MultipartParts: Sendable {
    let uploadID: String
    private let state = NIOLockedValueBox(State())
    private let group = DispatchGroup()

    private struct State {
        var etags: [Int: String] = [:]
        var failure: (any Error)?
    }

    init(uploadID: String) {
        self.uploadID = uploadID
    }

    /// The first failure of a part, if any, so the writer stops early.
    func checkFailure() throws {
        if let failure = state.withLockedValue({ $0.failure }) { throw failure }
    }

    /// Starts sending part `number` (a slot must already be held; it is given
    /// back when the part is done, successfully or not).
    func launch(_ number: Int, _ bytes: ByteBuffer, storage: S3Storage, key: String, bucketKey: String) {
        group.enter()
        let thread = Thread { [self] in
            defer {
                storage.uploadSlots.release()
                group.leave()
            }
            do {
                let request = S3Request(method: .PUT, key: bucketKey,
                                        query: [("partNumber", String(number)), ("uploadId", uploadID)], body: bytes)
                let response = try storage.perform("upload part \(number) of", key, request)
                guard let etag = response?.headers.first(name: "etag") else {
                    throw StorageFailure.make("upload part \(number) of", storage.url(key), "the store returned no ETag", attempts: nil)
                }
                state.withLockedValue { $0.etags[number] = etag }
            } catch {
                state.withLockedValue { if $0.failure == nil { $0.failure = error } }
            }
        }
        thread.stackSize = 512 << 10
        thread.start()
    }

    /// Waits for every part started so far; returns their ETags in part order.
    func waitForAll() throws -> [(number: Int, etag: String)] {
        group.wait()
        try checkFailure()
        return state.withLockedValue { $0.etags.sorted { $0.key < $1.key }.map { (number: $0.key, etag: $0.value) } }
    }

    /// Waits for every part started so far, whatever happened to them.
    func settle() { group.wait() }
}
