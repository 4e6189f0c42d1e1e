import Foundation
@testable import LifeboatEngine
import Pipeline
import Testing

/// `files.json` written entry by entry and read back as a stream: what was
/// written comes back, in stream order, and what no backup can be is refused.
@Suite struct PhysicalLayoutTests {
    typealias File = PhysicalLayout.File

    static func read(_ bytes: [UInt8], piece: Int = 1000) throws -> PhysicalLayout {
        var rest = bytes[...]
        return try PhysicalLayout.read { buffer in
            let n = min(piece, buffer.count, rest.count)
            buffer.copyBytes(from: rest.prefix(n))
            rest = rest.dropFirst(n)
            return n
        }
    }

    static func written(_ files: [File], blockSize: Int, parts: [PhysicalLayout.Part]) throws -> [UInt8] {
        let writer = try PhysicalLayoutWriter()
        for file in files { try writer.add(file) }
        let source = try writer.document(blockSize: blockSize, parts: parts)
        var bytes: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 333, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = try source(buffer)
            if n == 0 { return bytes }
            bytes += buffer[0..<n]
        }
    }

    /// Files of `sizes` one after the other in the stream, with awkward names.
    static func files(sizes: [Int64]) -> [File] {
        var offset: Int64 = 0
        var files = [File(path: "base", type: .directory, mode: 0o700, mtime: 1_700_000_000),
                     File(path: "pg_wal", type: .directory, mode: 0o700, mtime: 1_700_000_001),
                     File(path: "link", type: .symlink, mode: 0o777, mtime: 0, target: "base")]
        for (index, size) in sizes.enumerated() {
            let name = ["plain", "quote \" and \\ backslash", "tab\tcontrol\u{01}", "é漢字😀"][index % 4]
            files.append(File(path: "base/\(index) \(name)", type: .file, mode: 0o600, mtime: Int64(index), size: size, offset: offset,
                              sha256: String(repeating: "ab", count: 32)))
            offset += size
        }
        return files
    }

    /// Blocks dealt out to `count` parts in turn, as the packer's workers take them.
    static func parts(blocks: Int, count: Int) -> [PhysicalLayout.Part] {
        (0..<count).map { part in
            var map = BlockMap()
            for block in stride(from: part, to: blocks, by: count) { map.append(block) }
            return PhysicalLayout.Part(name: String(format: "data-%04d", part + 1), blocks: map)
        }
    }

    @Test func whatIsWrittenIsReadBackInStreamOrder() throws {
        let sizes: [Int64] = (0..<2_000).map { [0, 1, 8192, 100_000][$0 % 4] }
        let files = Self.files(sizes: sizes)
        let total = sizes.reduce(0, +)
        let blockSize = 65_536
        let blocks = Int((total + Int64(blockSize) - 1) / Int64(blockSize))
        let parts = Self.parts(blocks: blocks, count: 3)
        let layout = try Self.read(try Self.written(files, blockSize: blockSize, parts: parts))

        #expect(layout.blockSize == blockSize)
        #expect(layout.parts == parts)
        #expect(layout.directories == files.filter { $0.type == .directory })
        #expect(layout.symlinks == files.filter { $0.type == .symlink })
        #expect(layout.regularFileCount == sizes.count)
        #expect(layout.streamLength == total && layout.regularBytes == total)
        #expect(layout.blockCount == blocks)
        #expect(layout.blockLength(blocks - 1) == Int(total - Int64(blocks - 1) * Int64(blockSize)))
        var read: [File] = []
        var cursor = layout.regularFiles()
        while let (index, file) = try cursor.next() {
            #expect(index == read.count)
            read.append(file)
        }
        #expect(read == files.filter { $0.type == .file })
        #expect(layout.listsRegularFile(files[5].path))
        #expect(!layout.listsRegularFile("base/not listed"))
    }

    @Test func blocksListedAsNumbersReadAsTheirMap() throws {
        let text = #"{"block_size": 1024, "files": [{"path": "a", "type": "file", "mode": 384, "mtime": 0, "size": 3000, "offset": 0, "sha256": ""}], "parts": [{"name": "data-0001", "blocks": [0, 2]}, {"name": "data-0002", "blocks": [1]}]}"#
        let layout = try Self.read(Array(text.utf8), piece: 5)
        #expect(layout.parts.map { Array($0.blocks) } == [[0, 2], [1]])
    }

    /// A document built from `files` and `parts` entries written by hand.
    static func document(files: [String], parts: [String], blockSize: Int = 1024) -> String {
        #"{"block_size": \#(blockSize), "files": [\#(files.joined(separator: ", "))], "parts": [\#(parts.joined(separator: ", "))]}"#
    }

    static let fileA = #"{"path": "a", "type": "file", "mode": 384, "mtime": 0, "size": 3000, "offset": 0, "sha256": ""}"#
    static let twoParts = [#"{"name": "data-0001", "blocks": [0, 2]}"#, #"{"name": "data-0002", "blocks": [1]}"#]

    @Test(arguments: [
        ("listed twice", document(files: [fileA, #"{"path": "a", "type": "directory", "mode": 448, "mtime": 0}"#], parts: twoParts)),
        ("a directory listed twice", document(files: [#"{"path": "d", "type": "directory", "mode": 448, "mtime": 0}"#,
                                                      #"{"path": "d", "type": "directory", "mode": 448, "mtime": 0}"#, fileA], parts: twoParts)),
        ("out of stream order", document(files: [fileA, #"{"path": "b", "type": "file", "mode": 384, "mtime": 0, "size": 1, "offset": 10, "sha256": ""}"#],
                                         parts: twoParts)),
        ("outside", document(files: [fileA, #"{"path": "../x", "type": "file", "mode": 384, "mtime": 0, "size": 0, "offset": 3000, "sha256": ""}"#],
                             parts: twoParts)),
        ("a block short", document(files: [fileA], parts: [#"{"name": "data-0001", "blocks": [0, 2]}"#])),
        ("a block twice", document(files: [fileA], parts: [#"{"name": "data-0001", "blocks": [0, 2]}"#, #"{"name": "data-0002", "blocks": [2]}"#])),
        ("blocks not rising", document(files: [fileA], parts: [#"{"name": "data-0001", "blocks": [2, 0]}"#, #"{"name": "data-0002", "blocks": [1]}"#])),
        ("a block past the stream", document(files: [fileA], parts: [#"{"name": "data-0001", "blocks": [0, 2]}"#, #"{"name": "data-0002", "blocks": [3]}"#])),
        ("no size", document(files: [#"{"path": "a", "type": "file", "mode": 384, "mtime": 0, "offset": 0}"#], parts: [])),
        ("a tiny block size", document(files: [fileA], parts: twoParts, blockSize: 16)),
        ("no parts", #"{"block_size": 1024, "files": []}"#),
        ("not JSON", #"{"block_size": 1024, "files": [}"#),
        ("a string for a number", document(files: [#"{"path": "a", "type": "file", "mode": "384", "mtime": 0, "size": 0, "offset": 0}"#], parts: [])),
    ])
    func refusesLayoutsNoBackupHas(_ name: String, _ document: String) throws {
        #expect(throws: UnsafeLayoutError.self, "\(name)") { try Self.read(Array(document.utf8)) }
    }

    @Test func aLayoutWithNoFilesIsEmpty() throws {
        let layout = try Self.read(Array(#"{"block_size": 1024, "files": [], "parts": [], "later": {"unknown": [1]}}"#.utf8))
        #expect(layout.regularFileCount == 0 && layout.blockCount == 0 && layout.directories.isEmpty)
    }
}
