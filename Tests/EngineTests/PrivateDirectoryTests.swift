import Foundation
@testable import LifeboatEngine
import LifeboatTestSupport
import Testing

/// A killed backup's private directory (a partial dump, possibly gigabytes)
/// is removed by the next run; a live one, and anything not lifeboat's, stays.
@Suite struct PrivateDirectoryTests {
    @Test func sweepRemovesOnlyDirectoriesWhoseOwnerIsGone() throws {
        let parent = try TemporaryDirectory()
        defer { parent.remove() }
        let live = try PrivateDirectory(prefix: "lifeboat-dump", in: parent.path)
        // An owner that died: its lock file is there, nobody holds it.
        let dead = parent.appending("lifeboat-dump.dead01")
        try FileManager.default.createDirectory(atPath: dead + "/dump", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dead + "/" + PrivateDirectory.ownerFile, contents: nil))
        #expect(FileManager.default.createFile(atPath: dead + "/dump/toc.dat", contents: Data(count: 4096)))
        // Not made by PrivateDirectory: no owner file.
        let foreign = parent.appending("lifeboat-dump.other")
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)

        PrivateDirectory.sweep(prefix: "lifeboat-dump", in: parent.path)

        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live.path))
        #expect(FileManager.default.fileExists(atPath: foreign))
        live.remove()
        #expect(!FileManager.default.fileExists(atPath: live.path))
    }
}
