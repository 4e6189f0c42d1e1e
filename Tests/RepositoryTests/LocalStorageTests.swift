import Foundation
import LifeboatTestSupport
import Repository
import Testing

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

    /// A killed writer's temporary file is removed at once, since nobody holds
    /// its lock any more; one a live writer holds stays, whatever its age.
    @Test func leftoversOfGoneWritersGoAtOnceAndLiveWritesStay() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = LocalStorage(root: dir.appending("repo"))
        try storage.put("lms/wal/other", bytes: [1])
        let abandoned = dir.appending("repo/lms/wal/.000000010000000000000003.1.tmp")
        let live = dir.appending("repo/lms/wal/.000000010000000000000004.2.tmp")
        for path in [abandoned, live] { try Data([7]).write(to: URL(fileURLWithPath: path)) }
        let writer = open(live, O_RDONLY)
        defer { close(writer) }
        // Another open file description of the same file: as another process would hold it.
        #expect(flock(writer, LOCK_EX) == 0)
        try FileManager.default.createDirectory(atPath: dir.appending("repo/lms/backups/killed-early"), withIntermediateDirectories: true)
        #expect(try storage.removeLeftovers(olderThan: .distantPast) == ["lms/wal/.000000010000000000000003.1.tmp"])
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(!FileManager.default.fileExists(atPath: dir.appending("repo/lms/backups")), "empty directories go")
        #expect(try storage.removeLeftovers(olderThan: .distantFuture).count == 1, "old enough, it goes even locked")
    }

    /// Deleting the last object of a directory removes the directory (and
    /// emptied parents, never the root); a later put recreates them.
    @Test func deleteRemovesEmptiedDirectories() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let storage = LocalStorage(root: dir.appending("repo"))
        try storage.put("lms/backups/one/data-0001", bytes: [1])
        try storage.put("lms/backups/one/manifest.json", bytes: [2])
        try storage.put("lms/lock", bytes: [3])
        try storage.deleteAll(["lms/backups/one/data-0001", "lms/backups/one/manifest.json"])
        #expect(!FileManager.default.fileExists(atPath: dir.appending("repo/lms/backups")))
        #expect(FileManager.default.fileExists(atPath: dir.appending("repo/lms/lock")))
        try storage.delete("lms/lock")
        #expect(FileManager.default.fileExists(atPath: dir.appending("repo")), "the root stays")
        try storage.put("lms/backups/two/manifest.json", bytes: [4])
        #expect(try storage.get("lms/backups/two/manifest.json") == [4])
    }
}
