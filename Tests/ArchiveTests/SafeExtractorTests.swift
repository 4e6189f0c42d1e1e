import Archive
import Foundation
import LifeboatTestSupport
import Testing

/// The extractor writes only under its destination, whatever the archive says.
@Suite struct SafeExtractorTests {
    static func archive(_ entries: [(ArchiveEntryInfo, [UInt8])]) throws -> ArchiveReader {
        var stream: [UInt8] = []
        let writer = try ArchiveWriter(compression: Compression(.gzip)) { stream.append(contentsOf: $0) }
        for (info, data) in entries {
            try writer.writeHeader(info)
            if !data.isEmpty { try writer.writeData(data) }
        }
        try writer.finish()
        return try ArchiveReader(source: ByteArraySource(stream).read(into:))
    }

    static func file(_ path: String, _ text: String, permissions: UInt32 = 0o600) -> (ArchiveEntryInfo, [UInt8]) {
        (ArchiveEntryInfo(path: path, kind: .file, size: Int64(text.utf8.count), permissions: permissions, modificationTime: 1_600_000_000), Array(text.utf8))
    }

    @Test func extractsFilesDirectoriesAndInsideLinks() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let reader = try Self.archive([
            (ArchiveEntryInfo(path: "pgdata", kind: .directory, permissions: 0o700), []),
            Self.file("pgdata/PG_VERSION", "15\n"),
            Self.file("pgdata/tool", "#!/bin/sh\n", permissions: 0o4755),
            (ArchiveEntryInfo(path: "pgdata/link", kind: .symlink(target: "PG_VERSION")), []),
        ])
        let count = try SafeExtractor(destination: dir.path).extract(from: reader)
        #expect(count == 4)
        #expect(try String(contentsOfFile: dir.appending("pgdata/PG_VERSION"), encoding: .utf8) == "15\n")
        #expect(try String(contentsOfFile: dir.appending("pgdata/link"), encoding: .utf8) == "15\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.appending("pgdata/tool"))
        #expect((attributes[.posixPermissions] as? Int) == 0o755, "set-user-ID must be dropped")
        let modified = try #require(attributes[.modificationDate] as? Date)
        #expect(modified.timeIntervalSince1970 == 1_600_000_000)
    }

    static let hostile: [(String, [(ArchiveEntryInfo, [UInt8])])] = [
        ("absolute path", [file("/tmp/lifeboat-escape-abs", "x")]),
        ("dot-dot path", [file("a/../../lifeboat-escape-dots", "x")]),
        ("absolute symlink", [(ArchiveEntryInfo(path: "etc", kind: .symlink(target: "/etc")), [])]),
        ("escaping symlink", [(ArchiveEntryInfo(path: "a/up", kind: .symlink(target: "../../..")), [])]),
        ("escaping hard link", [(ArchiveEntryInfo(path: "passwd", kind: .hardlink(target: "../../etc/passwd")), [])]),
    ]

    @Test(arguments: hostile.map(\.0))
    func refusesEntriesThatLeaveTheDestination(_ name: String) throws {
        let entries = try #require(Self.hostile.first { $0.0 == name }).1
        let outer = try TemporaryDirectory()
        defer { outer.remove() }
        let destination = outer.appending("dest")
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: false)
        #expect(throws: ArchiveError.self) {
            try SafeExtractor(destination: destination).extract(from: try Self.archive(entries))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outer.path) == ["dest"])
        #expect(!FileManager.default.fileExists(atPath: "/tmp/lifeboat-escape-abs"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination).isEmpty)
    }

    /// Each link looks inside on its own (`deep/t -> ..`, `s -> deep/t/..`), but
    /// together `s` is the destination's parent: links with '..' are refused.
    @Test func refusesChainedLinksThatLeaveTogether() throws {
        let outer = try TemporaryDirectory()
        defer { outer.remove() }
        let destination = outer.appending("dest")
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: false)
        let reader = try Self.archive([
            (ArchiveEntryInfo(path: "deep", kind: .directory, permissions: 0o700), []),
            (ArchiveEntryInfo(path: "deep/t", kind: .symlink(target: "..")), []),
            (ArchiveEntryInfo(path: "s", kind: .symlink(target: "deep/t/..")), []),
            Self.file("s/lifeboat-escape-chain", "x"),
        ])
        #expect(throws: ArchiveError.self) { try SafeExtractor(destination: destination).extract(from: reader) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outer.path) == ["dest"])
        #expect(throws: ArchiveError.self) { try SafeExtractor.validate(ArchiveEntryInfo(path: "deep/t", kind: .symlink(target: ".."))) }
        try SafeExtractor.validate(ArchiveEntryInfo(path: "pgdata/link", kind: .symlink(target: "sub/PG_VERSION")))
    }

    @Test func refusesToWriteThroughASymlinkPlantedEarlier() throws {
        let outer = try TemporaryDirectory()
        defer { outer.remove() }
        let destination = outer.appending("dest")
        let target = outer.appending("target")
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        // An inside-pointing link to a sibling directory, then a write through it.
        try FileManager.default.createDirectory(atPath: destination + "/real", withIntermediateDirectories: false)
        let reader = try Self.archive([
            (ArchiveEntryInfo(path: "via", kind: .symlink(target: "real")), []),
            Self.file("via/file", "x"),
        ])
        #expect(throws: ArchiveError.self) { try SafeExtractor(destination: destination).extract(from: reader) }
        #expect(!FileManager.default.fileExists(atPath: destination + "/real/file"))
    }

    @Test func neverOverwritesAnExistingFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Data("original".utf8).write(to: URL(fileURLWithPath: dir.appending("f")))
        #expect(throws: ArchiveError.self) {
            try SafeExtractor(destination: dir.path).extract(from: try Self.archive([Self.file("f", "replaced")]))
        }
        #expect(try String(contentsOfFile: dir.appending("f"), encoding: .utf8) == "original")
    }

    @Test func setsTheRequestedOwnerWhenRoot() throws {
        guard geteuid() == 0, let ids = OSUser.ids(of: "postgres") else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let owner = FileOwner(uid: ids.uid, gid: ids.gid)
        try SafeExtractor(destination: dir.path, owner: owner).extract(from: try Self.archive([Self.file("f", "x")]))
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.appending("f"))
        #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == ids.uid)
    }
}
