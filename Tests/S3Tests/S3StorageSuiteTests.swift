import Foundation
import LifeboatTestSupport
import Repository
@testable import S3
import Testing

/// The storage suite every backend passes, against a real S3 API (moto) on loopback.
@Suite(.moto) struct S3StorageSuiteTests {
    @Test func passesTheStorageSuiteAtTheBucketRoot() throws {
        try StorageSuite.run(try MotoServer.require().makeStorage())
    }

    @Test func passesTheStorageSuiteUnderAPrefix() throws {
        let storage = try MotoServer.require().makeStorage(prefix: "team/postgres/")
        #expect(storage.location.hasSuffix("/team/postgres"))
        try StorageSuite.run(storage)
    }

    /// Two repositories in one bucket see only their own objects.
    @Test func prefixesKeepRepositoriesApart() throws {
        let moto = try MotoServer.require()
        let bucket = try moto.makeBucket()
        let one = S3Storage(configuration: try moto.configuration(bucket: bucket, prefix: "one"))
        let other = S3Storage(configuration: try moto.configuration(bucket: bucket, prefix: "one-more"))
        try one.put("lms/x", bytes: [1])
        try other.put("lms/y", bytes: [2])
        #expect(try one.list(prefix: "").map(\.key) == ["lms/x"])
        #expect(try other.list(prefix: "lms/").map(\.key) == ["lms/y"])
        #expect(try one.stat("lms/y") == nil)
    }

    /// Keys with the characters lifeboat allows that URLs treat specially.
    @Test func keysWithColonsAndPlusSignsRoundTrip() throws {
        let storage = try MotoServer.require().makeStorage(prefix: "p")
        let key = "lms/backups/2026-11-22T02:00:00+01:00/data-0001"
        try storage.put(key, bytes: [1, 2, 3])
        #expect(try storage.get(key) == [1, 2, 3])
        #expect(try storage.list(prefix: "lms/backups/2026-11-22T02:00:00+01:00/").map(\.key) == [key])
        #expect(try storage.stat(key)?.size == 3)
        try storage.deleteAll([key])
        #expect(try storage.stat(key) == nil)
    }
}
