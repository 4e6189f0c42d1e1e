import Foundation
import Repository
import Testing

/// The behaviour every storage backend must have. Each backend's suite calls
/// `run` with a fresh, empty store.
public enum StorageSuite {
    /// Runs every check against `storage`.
    public static func run(_ storage: Storage) throws {
        try roundTrip(storage)
        try createOnlyNeverReplaces(storage)
        try replaceSwapsContent(storage)
        try listingsAreByPrefixAndSorted(storage)
        try statAndRangedReads(storage)
        try missingObjects(storage)
        try deleteIsIdempotent(storage)
        try failedPutLeavesNothing(storage)
        try invalidKeysAreRefused(storage)
        try deleteAllRemovesEveryKey(storage)
    }

    static func roundTrip(_ storage: Storage) throws {
        for size in [0, 1, 65_535, 65_536, 1_000_001] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try storage.put("suite/round/\(size)", bytes: bytes)
            #expect(try storage.get("suite/round/\(size)") == bytes, "size \(size)")
        }
    }

    static func createOnlyNeverReplaces(_ storage: Storage) throws {
        try storage.put("suite/once", bytes: [1, 2, 3], mode: .createOnly)
        #expect(throws: StorageError.alreadyExists(key: "suite/once")) { try storage.put("suite/once", bytes: [9], mode: .createOnly) }
        #expect(try storage.get("suite/once") == [1, 2, 3])
    }

    static func replaceSwapsContent(_ storage: Storage) throws {
        try storage.put("suite/replace", bytes: [1])
        try storage.put("suite/replace", bytes: [2, 2])
        #expect(try storage.get("suite/replace") == [2, 2])
    }

    static func listingsAreByPrefixAndSorted(_ storage: Storage) throws {
        for key in ["suite/list/b", "suite/list/a", "suite/list/sub/c", "suite/listing-not-a-dir", "suite/other/x"] {
            try storage.put(key, bytes: Array(key.utf8))
        }
        #expect(try storage.list(prefix: "suite/list/").map(\.key) == ["suite/list/a", "suite/list/b", "suite/list/sub/c"])
        #expect(try storage.list(prefix: "suite/list").map(\.key) == ["suite/list/a", "suite/list/b", "suite/list/sub/c", "suite/listing-not-a-dir"])
        #expect(try storage.list(prefix: "suite/none/").isEmpty)
        let a = try #require(try storage.list(prefix: "suite/list/a").first)
        #expect(a.size == Int64("suite/list/a".utf8.count))
        #expect(abs(a.modified.timeIntervalSinceNow) < 3600)
    }

    static func statAndRangedReads(_ storage: Storage) throws {
        let bytes = (0..<100).map { UInt8($0) }
        try storage.put("suite/range", bytes: bytes)
        #expect(try storage.stat("suite/range")?.size == 100)
        #expect(try storage.read("suite/range", range: 10..<20) == Array(bytes[10..<20]))
        #expect(try storage.read("suite/range", range: 90..<200) == Array(bytes[90..<100]), "clamped to the end")
    }

    static func missingObjects(_ storage: Storage) throws {
        #expect(try storage.stat("suite/missing") == nil)
        #expect(throws: StorageError.notFound(key: "suite/missing")) { _ = try storage.get("suite/missing") }
    }

    static func deleteIsIdempotent(_ storage: Storage) throws {
        try storage.put("suite/delete", bytes: [1])
        try storage.delete("suite/delete")
        #expect(try storage.stat("suite/delete") == nil)
        try storage.delete("suite/delete")
    }

    struct Interrupted: Error {}

    static func failedPutLeavesNothing(_ storage: Storage) throws {
        #expect(throws: Interrupted.self) {
            try storage.put("suite/failed", mode: .replace) { sink in
                try [UInt8](repeating: 1, count: 100_000).withUnsafeBytes { try sink.write($0) }
                throw Interrupted()
            }
        }
        #expect(try storage.stat("suite/failed") == nil)
        #expect(try storage.list(prefix: "suite/failed").isEmpty)
        // A failed replace leaves the old content.
        try storage.put("suite/kept", bytes: [7])
        #expect(throws: Interrupted.self) { try storage.put("suite/kept", mode: .replace) { _ in throw Interrupted() } }
        #expect(try storage.get("suite/kept") == [7])
    }

    static func deleteAllRemovesEveryKey(_ storage: Storage) throws {
        let keys = (0..<5).map { "suite/batch/\($0)" }
        for key in keys { try storage.put(key, bytes: [1]) }
        try storage.deleteAll(keys + ["suite/batch/missing"])
        #expect(try storage.list(prefix: "suite/batch/").isEmpty)
        #expect(throws: StorageError.invalidKey(key: "a//b")) { try storage.deleteAll(["a//b"]) }
    }

    static func invalidKeysAreRefused(_ storage: Storage) throws {
        for key in ["", "/abs", "a//b", "a/../b", ".hidden", "a/.tmp", "a/b c", "a/"] {
            #expect(throws: StorageError.invalidKey(key: key)) { try storage.put(key, bytes: [1]) }
        }
    }
}
