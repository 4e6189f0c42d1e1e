import Archive
import Foundation
import LifeboatEngine
import LifeboatTestSupport
import Pipeline
import Postgres
import Repository
import Testing

/// A physical backup whose `files.json` was replaced, through the real sealing
/// API and with a matching manifest (so it authenticates and checksums), by a
/// hostile one: restore refuses it with exit 5 before writing anything, and
/// nothing appears outside the target.
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "timezone": "'UTC'", "wal_keep_size": "'256MB'"]), .serialized)
struct HostileBackupTests {
    /// Rewrites `name` of backup `id` with `edit` applied to its JSON, and the manifest to match.
    static func plant(_ fixture: PhysicalFixture, cluster: String, backup id: String, object name: String,
                      edit: (inout [String: Any]) -> Void) throws {
        let repository = try SealedRepository.unlock(storage: LocalStorage(root: fixture.dir.appending("repo")),
                                                     secrets: [try KeyFile.read(fixture.dir.appending("\(cluster).key"))])
        let key = "\(cluster)/backups/\(id)/\(name)"
        let (plain, _) = try StreamPacking.unpackAll(from: try repository.openSealed(key), compression: .zstd)
        var document = try #require(try JSONSerialization.jsonObject(with: Data(plain)) as? [String: Any])
        edit(&document)
        let bytes = Array(try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
        try repository.storage.delete(key)
        var summary = StreamPacking.Summary(plaintextBytes: 0, sha256: "")
        let stored = try repository.putSealed(key, mode: .createOnly) { sealer in
            summary = try StreamPacking.pack(bytes, compression: Compression(.zstd, level: 3), into: sealer)
        }
        let manifestKey = "\(cluster)/backups/\(id)/manifest.json"
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(try repository.getSealed(manifestKey))) as? [String: Any])
        var objects = try #require(manifest["objects"] as? [[String: Any]])
        let index = try #require(objects.firstIndex { $0["name"] as? String == name })
        objects[index]["sha256"] = summary.sha256
        objects[index]["plain_bytes"] = summary.plaintextBytes
        objects[index]["stored_bytes"] = stored.storedBytes
        manifest["objects"] = objects
        try repository.storage.delete(manifestKey)
        try repository.putSealed(manifestKey, bytes: Array(try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])), mode: .createOnly)
        for path in [fixture.dir.appending("repo/\(key)"), fixture.dir.appending("repo/\(manifestKey)")] {
            if let user = OSUser.serverUser { try OSUser.chown(path, to: user) }
        }
    }

    static let escapeName = "lifeboat-hostile-escape-\(getpid())"

    /// Each hostile layout: a name and the edit that makes it.
    static let cases: [(String, @Sendable (inout [String: Any], String) -> Void)] = [
        ("dot-dot file", { doc, _ in appendFile(&doc, ["path": "../\(escapeName)", "type": "file", "mode": 0o600, "mtime": 0, "size": 0, "offset": streamEnd(doc), "sha256": ""]) }),
        ("absolute file", { doc, outside in appendFile(&doc, ["path": outside + "/\(escapeName)", "type": "file", "mode": 0o600, "mtime": 0, "size": 0, "offset": streamEnd(doc), "sha256": ""]) }),
        ("absolute symlink", { doc, outside in appendFile(&doc, ["path": "escape", "type": "symlink", "mode": 0o777, "mtime": 0, "target": outside]) }),
        ("symlink chain", { doc, _ in
            appendFile(&doc, ["path": "deep", "type": "directory", "mode": 0o700, "mtime": 0])
            appendFile(&doc, ["path": "deep/t", "type": "symlink", "mode": 0o777, "mtime": 0, "target": ".."])
            appendFile(&doc, ["path": "s", "type": "symlink", "mode": 0o777, "mtime": 0, "target": "deep/t/.."])
            appendFile(&doc, ["path": "s/\(escapeName)", "type": "directory", "mode": 0o700, "mtime": 0])
        }),
        ("absurd size", { doc, _ in appendFile(&doc, ["path": "huge", "type": "file", "mode": 0o600, "mtime": 0, "size": Int64.max, "offset": streamEnd(doc), "sha256": ""]) }),
        ("negative offset", { doc, _ in appendFile(&doc, ["path": "before", "type": "file", "mode": 0o600, "mtime": 0, "size": 10, "offset": -10, "sha256": ""]) }),
        ("overlapping files", { doc, _ in appendFile(&doc, ["path": "overlap", "type": "file", "mode": 0o600, "mtime": 0, "size": 1, "offset": 0, "sha256": ""]) }),
        ("duplicate path", { doc, _ in
            if let first = (doc["files"] as? [[String: Any]])?.first { appendFile(&doc, first) }
        }),
        ("unreadable block map", { doc, _ in editFirstPart(&doc) { $0["block_map"] = "%%% not base64" } }),
        ("blocks past the stream", { doc, _ in editFirstPart(&doc) { $0["first_block"] = (($0["first_block"] as? Int) ?? 0) + 1_000_000 } }),
        ("a block listed twice", { doc, _ in editFirstPart(&doc) { part in
            // The same number of blocks, the first one twice and the last not at all.
            guard let blocks = try? blockNumbers(part), let first = blocks.first else { return }
            part = ["name": part["name"] ?? "", "blocks": [first] + blocks.dropLast()]
        } }),
    ]

    static func editFirstPart(_ document: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var parts = document["parts"] as? [[String: Any]] ?? []
        guard !parts.isEmpty else { return }
        edit(&parts[0])
        document["parts"] = parts
    }

    /// A part's block numbers from its `first_block` and `block_map`.
    static func blockNumbers(_ part: [String: Any]) throws -> [Int] {
        let first = try #require(part["first_block"] as? Int)
        let text = try #require(part["block_map"] as? String)
        let map = try #require(Data(base64Encoded: text))
        return map.enumerated().flatMap { index, byte in (0..<8).filter { byte & (1 << $0) != 0 }.map { first + index * 8 + $0 } }
    }

    static func appendFile(_ document: inout [String: Any], _ entry: [String: Any]) {
        var files = document["files"] as? [[String: Any]] ?? []
        files.append(entry)
        document["files"] = files
    }

    static func streamEnd(_ document: [String: Any]) -> Int64 {
        ((document["files"] as? [[String: Any]]) ?? []).compactMap { file -> Int64? in
            guard let offset = (file["offset"] as? NSNumber)?.int64Value, let size = (file["size"] as? NSNumber)?.int64Value else { return nil }
            return offset + size
        }.max() ?? 0
    }

    @Test func hostileLayoutsAreRefusedBeforeAnythingIsWritten() throws {
        let fixture = try PhysicalFixture(server: try TestPostgres.require(), name: "hostile")
        defer { fixture.dir.remove() }
        let id = try fixture.backup()
        let outside = fixture.dir.appending("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        if let user = OSUser.serverUser { try OSUser.chown(outside, to: user) }
        let key = "hostile/backups/\(id)/files.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: fixture.dir.appending("repo/\(key)")))
        let originalManifest = try Data(contentsOf: URL(fileURLWithPath: fixture.dir.appending("repo/hostile/backups/\(id)/manifest.json")))
        for (name, edit) in Self.cases {
            try Self.plant(fixture, cluster: "hostile", backup: id, object: "files.json") { edit(&$0, outside) }
            let target = fixture.dir.appending("target-\(name.replacingOccurrences(of: " ", with: "-"))/data")
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if let user = OSUser.serverUser { try OSUser.chown((target as NSString).deletingLastPathComponent, to: user) }
            let restore = try fixture.lifeboat(["restore", "--data-dir", target, "--archive-mode", "off"])
            #expect(restore.status == 5, "\(name): \(restore.status) \(restore.err)")
            #expect(restore.err.contains("files.json cannot be restored safely"), "\(name): \(restore.err)")
            #expect(!restore.err.contains("Fatal error"), "\(name)")
            #expect(!FileManager.default.fileExists(atPath: target), "\(name): nothing written")
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty, "\(name): nothing outside the target")
            #expect(!FileManager.default.fileExists(atPath: fixture.dir.path + "/" + Self.escapeName), "\(name)")
            #expect(!FileManager.default.fileExists(atPath: (fixture.dir.path as NSString).deletingLastPathComponent + "/" + Self.escapeName), "\(name)")
            let verify = try fixture.lifeboat(["verify", "--backup", id])
            #expect(verify.status == 5, "\(name): verify \(verify.out) \(verify.err)")
            for (path, bytes) in [(fixture.dir.appending("repo/\(key)"), original),
                                  (fixture.dir.appending("repo/hostile/backups/\(id)/manifest.json"), originalManifest)] {
                try bytes.write(to: URL(fileURLWithPath: path))
                if let user = OSUser.serverUser { try OSUser.chown(path, to: user) }
            }
        }
        #expect(try fixture.lifeboat(["verify", "--backup", id]).status == 0, "the original layout is back and verifies")
    }

    /// Backups written before parts' blocks were bit maps list them as numbers: still verified and restored.
    @Test func blocksListedAsNumbersStillRestore() throws {
        let fixture = try PhysicalFixture(server: try TestPostgres.require(), name: "hostile")
        defer { fixture.dir.remove() }
        let id = try fixture.backup()
        var numbered = 0
        try Self.plant(fixture, cluster: "hostile", backup: id, object: "files.json") { document in
            document["parts"] = (document["parts"] as? [[String: Any]] ?? []).map { part in
                guard let blocks = try? Self.blockNumbers(part) else { return part }
                numbered += 1
                return ["name": part["name"] ?? "", "blocks": blocks]
            }
        }
        #expect(numbered > 0)
        let verify = try fixture.lifeboat(["verify", "--backup", id])
        #expect(verify.status == 0, "\(verify.out) \(verify.err)")
        let target = fixture.restoreDirectory("numbered")
        let restore = try fixture.lifeboat(["restore", "--data-dir", target, "--archive-mode", "off"])
        #expect(restore.status == 0, "\(restore.err)")
        #expect(FileManager.default.fileExists(atPath: target + "/PG_VERSION"))
    }
}
