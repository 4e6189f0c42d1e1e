import Foundation
import LifeboatTestSupport
import Repository
@testable import S3
import Testing

/// Large objects: multipart uploads with bounded memory, chunked reads.
@Suite(.moto) struct S3MultipartTests {
    /// Through a proxy that only counts, so the requests can be inspected.
    func storage(uploadsInFlight: Int = 3, readChunkSize: Int = 8 << 20) throws -> (S3Storage, FaultProxy) {
        let moto = try MotoServer.require()
        let proxy = try FaultProxy(upstreamPort: moto.port)
        var configuration = try moto.configuration(bucket: try moto.makeBucket(), prefix: "repo", endpoint: proxy.endpoint)
        configuration.uploadsInFlight = uploadsInFlight
        configuration.readChunkSize = readChunkSize
        return (S3Storage(configuration: configuration), proxy)
    }

    @Test func aLargeObjectGoesUpInPartsAndComesBackIdentical() throws {
        let (storage, proxy) = try storage()
        defer { proxy.stop() }
        let size = 40 << 20 + 12_345
        try storage.put("lms/backups/big", mode: .createOnly) { try writeTestBytes($0, size: size, writeSize: 1_000_003) }

        let parts = proxy.requests.filter(\.isPartUpload)
        #expect(parts.count == 6, "five full parts of 8 MiB and the rest")
        #expect(parts.filter { $0.bodyLength == 8 << 20 }.count == 5)
        // The proxy counts connections: the one just answered may still be closing when the client's next
        // part arrives, hence + 1. Unbounded, all six parts would be in flight.
        #expect(proxy.peakConcurrentRequests <= 3 + 1, "at most uploadsInFlight parts at once: memory is bounded")
        #expect(try storage.stat("lms/backups/big")?.size == Int64(size))

        let read = try readTestBytes(try storage.open("lms/backups/big"), readSize: 777_777)
        #expect(read.count == size)
        #expect(read.matches)
        #expect(proxy.requests.filter { $0.method == "GET" && !$0.target.contains("list-type") }.count == 6, "ranged GETs of 8 MiB")
        #expect(try S3Listing.multipartUploads(in: storage).isEmpty)
    }

    @Test func anObjectOfExactlyOnePartIsASinglePut() throws {
        let (storage, proxy) = try storage()
        defer { proxy.stop() }
        try storage.put("one-part", mode: .replace) { try writeTestBytes($0, size: 8 << 20, writeSize: 65_536) }
        #expect(proxy.requests.filter { $0.method == "POST" }.isEmpty, "no multipart upload")
        #expect(proxy.requests.filter { $0.method == "PUT" }.count == 1)
        #expect(try readTestBytes(try storage.open("one-part"), readSize: 1 << 20) == (8 << 20, true))
    }

    /// A body that fails after some parts went up leaves no object and no
    /// unfinished upload.
    @Test func aFailedLargePutLeavesNothing() throws {
        let (storage, proxy) = try storage()
        defer { proxy.stop() }
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try storage.put("lms/failed", mode: .createOnly) { sink in
                try writeTestBytes(sink, size: 20 << 20, writeSize: 1 << 20)
                throw Interrupted()
            }
        }
        #expect(proxy.requests.contains { $0.isPartUpload })
        #expect(try storage.stat("lms/failed") == nil)
        #expect(try S3Listing.multipartUploads(in: storage).isEmpty)
    }

    /// Small read chunks: many ranged GETs, each pinned to the first one's ETag.
    @Test func readsInSmallChunks() throws {
        let (storage, proxy) = try storage(readChunkSize: 64 << 10)
        defer { proxy.stop() }
        try storage.put("chunks", mode: .replace) { try writeTestBytes($0, size: 1_000_000, writeSize: 4096) }
        #expect(try readTestBytes(try storage.open("chunks"), readSize: 10_000) == (1_000_000, true))
        #expect(proxy.requests.filter { $0.method == "GET" }.count == 16)
    }

    /// Single PUTs racing for the same create-only key: exactly one wins.
    /// (moto checks `If-None-Match` and stores in two steps; on single PUTs
    /// its window is too small to hit, on CompleteMultipartUpload it is not —
    /// see the next test.)
    @Test func createOnlyRaceHasOneWinner() throws {
        let storage = try MotoServer.require().makeStorage(prefix: "race")
        let size = 1000
        for round in 0..<10 {
            let key = "lms/wal/segment-\(round)"
            let outcomes = RaceOutcomes()
            DispatchQueue.concurrentPerform(iterations: 2) { writer in
                do {
                    try storage.put(key, mode: .createOnly) { try writeTestBytes($0, size: size, writeSize: 100_000, seed: writer) }
                    outcomes.record(winner: writer)
                } catch StorageError.alreadyExists {
                    outcomes.record(loser: writer)
                } catch {
                    outcomes.record(error: error)
                }
            }
            let (winners, losers, errors) = outcomes.result
            #expect(errors.isEmpty, "\(errors)")
            #expect(winners.count == 1 && losers.count == 1, "round \(round): winners \(winners), losers \(losers)")
            if let winner = winners.first {
                #expect(try readTestBytes(try storage.open(key), readSize: 1 << 20, seed: winner) == (size, true))
            }
        }
    }

    /// The object appears while a multipart upload of the same create-only key
    /// is under way: the upload's completion is refused, it is aborted, and the
    /// other writer's object stays.
    @Test func createOnlyMultipartLosesToAnObjectThatAppearedMeanwhile() throws {
        let (storage, proxy) = try storage()
        defer { proxy.stop() }
        #expect(throws: StorageError.alreadyExists(key: "lms/lock")) {
            try storage.put("lms/lock", mode: .createOnly) { sink in
                try writeTestBytes(sink, size: 9 << 20, writeSize: 1 << 20, seed: 1)
                try storage.put("lms/lock", mode: .createOnly) { try writeTestBytes($0, size: 1000, writeSize: 1000, seed: 2) }
            }
        }
        #expect(proxy.requests.contains { $0.isPartUpload })
        #expect(try readTestBytes(try storage.open("lms/lock"), readSize: 4096, seed: 2) == (1000, true))
        #expect(try S3Listing.multipartUploads(in: storage).isEmpty)
    }
}

/// Who won a race, collected from several threads.
final class RaceOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var winners: [Int] = []
    private var losers: [Int] = []
    private var errors: [String] = []

    func record(winner: Int) { lock.withLock { winners.append(winner) } }
    func record(loser: Int) { lock.withLock { losers.append(loser) } }
    func record(error: Error) { lock.withLock { errors.append("\(error)") } }

    var result: ([Int], [Int], [String]) { lock.withLock { (winners, losers, errors) } }
}
