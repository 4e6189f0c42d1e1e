import Foundation
import LifeboatTestSupport
import Repository
@testable import S3
import Testing

/// The S3 backend through a proxy that fails, delays and drops requests.
@Suite(.moto) struct S3FaultTests {
    /// A storage whose requests go through a new fault proxy, and one in the
    /// same bucket that talks to moto directly (to look behind the faults).
    func storages(requestTimeout: TimeInterval = 300, readChunkSize: Int = 8 << 20) throws -> (faulty: S3Storage, direct: S3Storage, proxy: FaultProxy) {
        let moto = try MotoServer.require()
        let proxy = try FaultProxy(upstreamPort: moto.port)
        let bucket = try moto.makeBucket()
        var configuration = try moto.configuration(bucket: bucket, prefix: "repo", endpoint: proxy.endpoint)
        configuration.requestTimeout = requestTimeout
        configuration.readChunkSize = readChunkSize
        return (S3Storage(configuration: configuration), S3Storage(configuration: try moto.configuration(bucket: bucket, prefix: "repo")), proxy)
    }

    @Test func theSuitePassesThroughServerErrorsAndDroppedUploads() throws {
        let (storage, _, proxy) = try storages()
        defer { proxy.stop() }
        proxy.inject(.status(500, code: "InternalError"), times: 4)
        proxy.inject(.status(503, code: "SlowDown"), times: 3) { $0.method == "GET" }
        proxy.inject(.dropDuringBody, times: nil, oncePerTarget: true) { $0.isUpload }
        try StorageSuite.run(storage)
        try storage.put("lms/big", mode: .createOnly) { try writeTestBytes($0, size: 20 << 20, writeSize: 999_999) }
        #expect(try readTestBytes(try storage.open("lms/big"), readSize: 1 << 20) == (20 << 20, true))
        let uploads = Set(proxy.requests.filter(\.isUpload).map { $0.method + $0.target }).count
        #expect(proxy.faultsApplied >= 7 + uploads, "every upload was cut off once")
        #expect(uploads > 10)
    }

    @Test func aPartThatKeepsFailingGivesUpAndLeavesNothing() throws {
        let (storage, direct, proxy) = try storages()
        defer { proxy.stop() }
        proxy.inject(.status(500, code: "InternalError"), times: nil) { $0.isPartUpload }
        let error = try #require(throws: StorageError.self) {
            try storage.put("lms/big", mode: .createOnly) { try writeTestBytes($0, size: 20 << 20, writeSize: 1 << 20) }
        }
        guard case let .io(operation, path, reason) = error else {
            Issue.record("expected an I/O error, got \(error)")
            return
        }
        #expect(operation.hasPrefix("upload part"))
        #expect(path.hasSuffix("/repo/lms/big"))
        #expect(reason == "HTTP 500 InternalError: injected by the test proxy; gave up after 6 attempts")
        #expect(!error.localizedDescription.contains(MotoServer.credentials.secretAccessKey))
        #expect(try direct.stat("lms/big") == nil)
        #expect(try S3Listing.multipartUploads(in: direct).isEmpty, "the upload was aborted")
    }

    @Test func aSinglePutThatKeepsFailingGivesUp() throws {
        let (storage, direct, proxy) = try storages()
        defer { proxy.stop() }
        proxy.inject(.status(503, code: "SlowDown"), times: nil) { $0.isUpload }
        #expect(throws: StorageError.io(operation: "store", path: "\(storage.location)/lms/wal/1",
                                        reason: "HTTP 503 SlowDown: injected by the test proxy; gave up after 6 attempts")) {
            try storage.put("lms/wal/1", bytes: [1, 2, 3], mode: .createOnly)
        }
        #expect(proxy.requests.filter(\.isUpload).count == 6)
        #expect(try direct.stat("lms/wal/1") == nil)
    }

    /// The store did the write but its answer was lost: the retry of a
    /// create-only put finds the object and recognizes it as its own.
    @Test func aCreateOnlyPutWhoseAnswerWasLostSucceeds() throws {
        let (storage, _, proxy) = try storages()
        defer { proxy.stop() }
        proxy.inject(.dropResponse, times: 1) { $0.isUpload }
        try storage.put("lms/wal/2", bytes: [4, 5], mode: .createOnly)
        #expect(proxy.faultsApplied == 1)
        #expect(try storage.get("lms/wal/2") == [4, 5])
        // Somebody else's object is still refused.
        #expect(throws: StorageError.alreadyExists(key: "lms/wal/2")) { try storage.put("lms/wal/2", bytes: [6], mode: .createOnly) }
    }

    @Test func aCompletionWhoseAnswerWasLostSucceeds() throws {
        let (storage, direct, proxy) = try storages()
        defer { proxy.stop() }
        proxy.inject(.dropResponse, times: 1) { $0.method == "POST" && $0.target.contains("uploadId=") }
        try storage.put("lms/big", mode: .createOnly) { try writeTestBytes($0, size: 9 << 20, writeSize: 1 << 20) }
        #expect(proxy.faultsApplied == 1)
        #expect(try readTestBytes(try direct.open("lms/big"), readSize: 1 << 20) == (9 << 20, true))
    }

    /// Reads resume: a chunk whose connection drops, or whose answer is too
    /// slow, is fetched again from its offset.
    @Test func readsSurviveDroppedAndSlowResponses() throws {
        let (storage, _, proxy) = try storages(requestTimeout: 1, readChunkSize: 64 << 10)
        defer { proxy.stop() }
        try storage.put("lms/obj", mode: .replace) { try writeTestBytes($0, size: 500_000, writeSize: 10_000) }
        proxy.inject(.dropResponse, times: 2) { $0.method == "GET" }
        proxy.inject(.delay(2.5), times: 1) { $0.method == "GET" }
        #expect(try readTestBytes(try storage.open("lms/obj"), readSize: 30_000) == (500_000, true))
        #expect(proxy.faultsApplied == 3)
        #expect(try storage.read("lms/obj", range: 1000..<1010) == (1000..<1010).map { testByte($0) })
    }
}
