import Foundation
import LifeboatTestSupport
import Repository
import Testing

/// The behaviour every storage backend must have. Each backend's suite calls
/// these with a fresh, empty store (the S3 backend runs the same checks).
enum StorageSuite {
    static func run(_ storage: Storage) throws {
        try roundTrip(storage)
        try createOnlyNeverReplaces(storage)
        try replaceSwapsContent(storage)
        try listingsAreByPrefixAndSorted(storage)
        try statAndRangedReads(storage)
        try missingObjects(storage)
        try deleteIsIdempotent(storage)
        try failedPutLeavesNothing(storage)
        try invalidKeysAreRefused(storage)
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

    static func invalidKeysAreRefused(_ storage: Storage) throws {
        for key in ["", "/abs", "a//b", "a/../b", ".hidden", "a/.tmp", "a/b c", "a/"] {
            #expect(throws: StorageError.invalidKey(key: key)) { try storage.put(key, bytes: [1]) }
        }
    }
}

@Suite struct LocalStorageTests {
    @Test func passesTheStorageSuite() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try StorageSuite.run(LocalStorage(root: dir.appending("repo")))
    }

    @Test func filesAre0600AndDirectories0700() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = LocalStorage(root: dir.appending("repo"))
        let previous = umask(0)
        defer { umask(previous) }
        try storage.put("a/b/c", bytes: [1])
        for (path, mode) in [("repo", 0o700), ("repo/a", 0o700), ("repo/a/b", 0o700), ("repo/a/b/c", 0o600)] {
            let attributes = try FileManager.default.attributesOfItem(atPath: dir.appending(path))
            #expect((attributes[.posixPermissions] as? Int) == mode, "\(path)")
        }
    }

    /// A command run as root in the postgres user's repository must not leave
    /// files and directories that user's `archive_command` cannot write into.
    @Test(.enabled(if: geteuid() == 0)) func rootHandsWhatItCreatesToTheRepositoryOwner() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let owner = try #require(OSUser.serverUser.flatMap(OSUser.ids(of:)))
        try FileManager.default.createDirectory(atPath: dir.appending("repo"), withIntermediateDirectories: false)
        chown(dir.appending("repo"), owner.uid, owner.gid)
        try LocalStorage(root: dir.appending("repo")).put("lms/drills/one.json", bytes: [1])
        for path in ["repo/lms", "repo/lms/drills", "repo/lms/drills/one.json"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: dir.appending(path))
            #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == owner.uid, "\(path)")
        }
    }

    @Test func crashBetweenTemporaryWriteAndRenameLeavesNoVisibleObject() throws {
        // A process killed after writing its temporary file but before the
        // rename leaves exactly this behind.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = LocalStorage(root: dir.appending("repo"))
        try storage.put("lms/wal/other", bytes: [1])
        let leftover = dir.appending("repo/lms/wal/.000000010000000000000003.123456.tmp")
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: leftover))
        #expect(try storage.list(prefix: "lms/").map(\.key) == ["lms/wal/other"])
        #expect(try storage.stat("lms/wal/000000010000000000000003") == nil)
        // And the next put of that object succeeds.
        try storage.put("lms/wal/000000010000000000000003", bytes: [2], mode: .createOnly)
        #expect(try storage.get("lms/wal/000000010000000000000003") == [2])
    }
}
