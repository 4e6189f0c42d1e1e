import Foundation
import LifeboatTestSupport
import Repository
@testable import S3
import Testing

/// Listings past one page, batched deletes, and the leftovers of killed puts.
@Suite(.moto) struct S3ListingTests {
    @Test func listingsFollowContinuationTokensAndDeletesBatch() throws {
        let moto = try MotoServer.require()
        var configuration = try moto.configuration(bucket: try moto.makeBucket(), prefix: "repo")
        configuration.listPageSize = 100
        let storage = S3Storage(configuration: configuration)
        let keys = (0..<1_100).map { String(format: "lms/wal/%08X", $0) }
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for key in keys.enumerated().filter({ $0.offset % 8 == worker }).map(\.element) {
                try? storage.put(key, bytes: [UInt8(truncatingIfNeeded: key.hashValue)])
            }
        }
        try storage.put("lms/zzz-not-wal", bytes: [1])

        let listed = try storage.list(prefix: "lms/wal/")
        #expect(listed.map(\.key) == keys, "eleven pages of 100, in key order")
        #expect(listed.allSatisfy { $0.size == 1 })

        try storage.deleteAll(keys)  // two DeleteObjects requests: 1000 and 100 keys
        #expect(try storage.list(prefix: "lms/").map(\.key) == ["lms/zzz-not-wal"])
    }

    /// A writer killed during a multipart upload leaves an unfinished upload:
    /// invisible to listings, aborted by `removeLeftovers` once old enough.
    @Test func removeLeftoversAbortsUnfinishedUploads() throws {
        let moto = try MotoServer.require()
        var configuration = try moto.configuration(bucket: try moto.makeBucket(), prefix: "repo")
        configuration.listPageSize = 2
        let storage = S3Storage(configuration: configuration)
        let killed = ["lms/backups/a/data-0001", "lms/backups/a/data-0002", "lms/backups/b/data-0001"]
        for key in killed {
            let started = S3Request(method: .POST, key: storage.bucketKey(key), query: [("uploads", "")])
            _ = try storage.perform("start uploading", key, started)
        }
        try storage.put("lms/backups/a/manifest", bytes: [1])

        #expect(try storage.list(prefix: "lms/").map(\.key) == ["lms/backups/a/manifest"])
        let uploads = try S3Listing.multipartUploads(in: storage)
        #expect(uploads.count == 3, "two pages of two")
        // moto reports every upload as initiated at 2010-11-10T20:48:33Z, so
        // the cutoffs sit either side of that.
        #expect(uploads.allSatisfy { $0.initiated == Date(timeIntervalSince1970: 1_289_422_113) })
        #expect(try storage.removeLeftovers(olderThan: Date(timeIntervalSince1970: 1_289_422_000)).isEmpty, "too recent")
        #expect(try storage.removeLeftovers(olderThan: Date()).sorted() == killed)
        #expect(try S3Listing.multipartUploads(in: storage).isEmpty)
        #expect(try storage.get("lms/backups/a/manifest") == [1])
    }
}
