import Archive
import Foundation
import Pipeline
import Repository
import Seal

extension PhysicalLayout {
    /// Largest file or stream position accepted: 2^50 bytes (1 PiB), far from overflow.
    static let largestPosition: Int64 = 1 << 50
    /// Highest block number a map may start at (2^40 blocks of at least 512 bytes: past any stream).
    static let largestFirstBlock = 1 << 40

    /// The `files.json` of `backup`, streamed from the repository and checked
    /// (see `read(from:)`), then against the size and SHA-256 its manifest lists.
    static func read(of backup: BackupManifest, repository: SealedRepository, layout: ClusterLayout) throws -> PhysicalLayout {
        let key = layout.object(backup.id, "files.json")
        guard let object = backup.objects.first(where: { $0.name == "files.json" }) else { throw PhysicalRestoreError.partMismatch(object: key) }
        let archive = try StreamPacking.openPlaintext(of: try repository.openSealed(key),
                                                      compression: Compression.Algorithm(rawValue: backup.compression.algorithm))
        let hasher = try SHA256Hasher()
        var total: Int64 = 0
        let physical = try read { buffer in
            guard let archive else { return 0 }
            let n = try archive.readData(into: buffer)
            try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            total += Int64(n)
            return n
        }
        guard object.matches(StreamPacking.Summary(plaintextBytes: total, sha256: try hasher.finish().hexString)) else {
            throw PhysicalRestoreError.partMismatch(object: key)
        }
        return physical
    }

    /// Parses a layout document as it streams in and checks it before anything
    /// trusts it: every entry stays inside the destination and is listed once,
    /// regular files come in stream order without overlapping, and every block
    /// of the stream is in exactly one part. Throws `UnsafeLayoutError`.
    static func read(from source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws -> PhysicalLayout {
        var builder = try Builder()
        let json = JSONStreamReader(source: source)
        do {
            guard try json.next() == .objectStart else { throw UnsafeLayoutError(reason: "it is not a JSON object") }
            var blockSize: Int?
            var parts: [Part]?
            var sawFiles = false
            while case let .key(key) = try json.next() {
                switch key {
                case "block_size": blockSize = try integer(json.next(), "block_size")
                case "files":
                    sawFiles = true
                    try array(json) { try builder.add(try file(json)) }
                case "parts":
                    var list: [Part] = []
                    try array(json) { list.append(try part(json)) }
                    parts = list
                default: try json.skipValue()
                }
            }
            guard try json.next() == .end else { throw UnsafeLayoutError(reason: "it has data after its end") }
            guard let blockSize, let parts, sawFiles else { throw UnsafeLayoutError(reason: "block_size, files or parts is missing") }
            return try builder.finish(blockSize: blockSize, parts: parts)
        } catch let error as JSONStreamReader.Malformed {
            throw UnsafeLayoutError(reason: error.localizedDescription)
        }
    }

    private static func array(_ json: JSONStreamReader, element: () throws -> Void) throws {
        guard try json.next() == .arrayStart else { throw UnsafeLayoutError(reason: "an array was expected") }
        while true {
            switch try json.next() {
            case .arrayEnd: return
            case .objectStart: try element()
            default: throw UnsafeLayoutError(reason: "an array holds something other than objects")
            }
        }
    }

    private static func integer(_ token: JSONStreamReader.Token, _ field: String) throws -> Int {
        guard case let .number(text) = token, let value = Int(text) else { throw UnsafeLayoutError(reason: "\(field) is not an integer") }
        return value
    }

    private static func text(_ token: JSONStreamReader.Token, _ field: String) throws -> String {
        guard case let .string(value) = token else { throw UnsafeLayoutError(reason: "\(field) is not a string") }
        return value
    }

    /// One entry of `files` (its opening brace read).
    private static func file(_ json: JSONStreamReader) throws -> File {
        var path: String?, type: File.FileType?, mode: Int?, mtime: Int?
        var entry = File(path: "", type: .file, mode: 0, mtime: 0)
        while case let .key(key) = try json.next() {
            let value = try json.next()
            if value == .null { continue }
            switch key {
            case "path": path = try text(value, key)
            case "type": type = File.FileType(rawValue: try text(value, key))
            case "mode": mode = try integer(value, key)
            case "mtime": mtime = try integer(value, key)
            case "size": entry.size = Int64(try integer(value, key))
            case "offset": entry.offset = Int64(try integer(value, key))
            case "sha256": entry.sha256 = try text(value, key)
            case "target": entry.target = try text(value, key)
            default: if value == .objectStart || value == .arrayStart { try skipRest(json) }
            }
        }
        guard let path, let type, let mode, let mtime, let narrowMode = UInt32(exactly: mode) else {
            throw UnsafeLayoutError(reason: "an entry of files lacks its path, type, mode or mtime")
        }
        entry.path = path
        entry.type = type
        entry.mode = narrowMode
        entry.mtime = Int64(mtime)
        return entry
    }

    /// The rest of an object or array whose opening token was read.
    private static func skipRest(_ json: JSONStreamReader) throws {
        var depth = 1
        while depth > 0 {
            switch try json.next() {
            case .objectStart, .arrayStart: depth += 1
            case .objectEnd, .arrayEnd: depth -= 1
            default: break
            }
        }
    }

    /// One entry of `parts` (its opening brace read).
    private static func part(_ json: JSONStreamReader) throws -> Part {
        var name: String?, first: Int?, map: String?, listed: BlockMap?
        while case let .key(key) = try json.next() {
            switch key {
            case "name": name = try text(json.next(), key)
            case "first_block": first = try integer(json.next(), key)
            case "block_map": map = try text(json.next(), key)
            case "blocks":
                guard try json.next() == .arrayStart else { throw UnsafeLayoutError(reason: "blocks is not a list") }
                var blocks = BlockMap()
                while true {
                    let token = try json.next()
                    if token == .arrayEnd { break }
                    guard case let .number(text) = token, let block = Int(text), (0...largestFirstBlock).contains(block), blocks.lastBlock.map({ block > $0 }) ?? true else {
                        throw UnsafeLayoutError(reason: "a part's blocks are not rising block numbers")
                    }
                    blocks.append(block)
                }
                listed = blocks
            default: try json.skipValue()
            }
        }
        guard let name else { throw UnsafeLayoutError(reason: "a part has no name") }
        if let listed { return Part(name: name, blocks: listed) }
        guard let first, (0...largestFirstBlock).contains(first), let map, let bits = Data(base64Encoded: map) else {
            throw UnsafeLayoutError(reason: "part \(name) has an unreadable block map")
        }
        return Part(name: name, blocks: BlockMap(firstBlock: first, bits: Array(bits)))
    }

    /// The checks and the spill, one entry at a time.
    private struct Builder {
        let regular: SpillFile
        var directories: [File] = []
        var symlinks: [File] = []
        var count = 0
        var bytes: Int64 = 0
        var end: Int64 = 0
        var hashes = Set<Int>()

        init() throws { regular = try SpillFile() }

        mutating func add(_ file: File) throws {
            let kind: ArchiveEntryKind = switch file.type {
            case .file: .file
            case .directory: .directory
            case .symlink: .symlink(target: file.target ?? "")
            }
            do {
                try SafeExtractor.validate(ArchiveEntryInfo(path: file.path, kind: kind))
            } catch {
                throw UnsafeLayoutError(reason: error.localizedDescription)
            }
            if !hashes.insert(PhysicalLayout.hash(file.path)).inserted, try isListed(file.path) {
                throw UnsafeLayoutError(reason: "'\(file.path)' is listed twice")
            }
            switch file.type {
            case .directory: directories.append(file)
            case .symlink: symlinks.append(file)
            case .file:
                guard let size = file.size, let offset = file.offset, (0...largestPosition).contains(size),
                      (0...largestPosition).contains(offset) else {
                    throw UnsafeLayoutError(reason: "'\(file.path)' has an impossible size or offset (\(file.size.map(String.init) ?? "none"), \(file.offset.map(String.init) ?? "none"))")
                }
                guard offset >= end else { throw UnsafeLayoutError(reason: "'\(file.path)' overlaps the file before it in the stream") }
                end = offset + size
                bytes += size
                count += 1
                try regular.append(Record.encode(file))
            }
        }

        /// Whether `path` is already listed (after its hash matched one: exact, and rare).
        private func isListed(_ path: String) throws -> Bool {
            if directories.contains(where: { $0.path == path }) || symlinks.contains(where: { $0.path == path }) { return true }
            try regular.flush()
            var files = RegularFiles(reader: regular.reader())
            while let (_, file) = try files.next() {
                if file.path == path { return true }
            }
            return false
        }

        func finish(blockSize: Int, parts: [Part]) throws -> PhysicalLayout {
            guard (512...(1 << 30)).contains(blockSize) else { throw UnsafeLayoutError(reason: "block size \(blockSize) is out of range") }
            let blocks = PhysicalLayout.blockCount(streamLength: end, blockSize: blockSize)
            let listed = parts.reduce(0) { $0 + $1.blocks.count }
            guard listed == blocks else { throw UnsafeLayoutError(reason: "the parts hold \(listed) block(s), the files need \(blocks)") }
            // Each block of the stream in exactly one part: a bit a block.
            var seen = [UInt64](repeating: 0, count: blocks / 64 + 1)
            for part in parts {
                for block in part.blocks {
                    guard block < blocks, seen[block / 64] & (1 << (block % 64)) == 0 else {
                        throw UnsafeLayoutError(reason: "part \(part.name) lists block \(block), which is outside the stream or listed twice")
                    }
                    seen[block / 64] |= 1 << (block % 64)
                }
            }
            try regular.flush()
            return PhysicalLayout(blockSize: blockSize, parts: parts, directories: directories, symlinks: symlinks, regular: regular,
                                  regularFileCount: count, regularBytes: bytes, streamLength: end, pathHashes: hashes)
        }
    }
}
