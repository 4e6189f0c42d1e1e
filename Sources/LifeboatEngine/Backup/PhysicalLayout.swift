import Foundation
import Archive
import Pipeline

/// `<cluster>/backups/<id>/files.json` (sealed): how a physical backup's data
/// parts map back to the files of the data directory.
///
/// The regular files' contents, in the order the server sent them, form one
/// stream; file `f` is bytes `offset ..< offset + size` of it. The stream is
/// cut into blocks of `block_size` bytes (block `b` is bytes `b × block_size
/// ..< (b + 1) × block_size`, the last one shorter), and each part object holds
/// a compressed concatenation of the blocks listed in its `blocks`, in that
/// order (see `ParallelPacker`).
///
/// ```json
/// {"block_size": 1048576,
///  "files": [{"path": "PG_VERSION", "type": "file", "mode": 384, "mtime": 1763780000,
///             "size": 3, "offset": 0, "sha256": "…"},
///            {"path": "base", "type": "directory", "mode": 448, "mtime": 1763780000},
///            {"path": "x", "type": "symlink", "mode": 511, "mtime": 0, "target": "…"}],
///  "parts": [{"name": "data-0001", "first_block": 0, "block_map": "DQ=="}, {"name": "data-0002", "first_block": 1, "block_map": "CQ=="}]}
/// ```
/// A part's blocks are written as a bit map (`Part`): block `first_block + i`
/// is in the part when bit `i` of `block_map` (base64; byte `i / 8`, bit
/// `i % 8`, least significant first) is set, in rising order — a few bits a
/// block, where a list of numbers took 16 bytes a block (33 MB for a 1 TB
/// stream) and 114 MB more memory to encode (now 1.2 MB and 6 MB). Backups
/// written before list them as `"blocks": [0, 2, 3]`, which is still read.
/// `mode` is the permission bits, `mtime` seconds since the epoch, `sha256`
/// the file's own SHA-256 (lower-case hex), so a file can be checked on its own.
public struct PhysicalLayout: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public enum FileType: String, Codable, Sendable { case file, directory, symlink }
        public var path: String
        public var type: FileType
        public var mode: UInt32
        public var mtime: Int64
        public var size: Int64?
        public var offset: Int64?
        public var sha256: String?
        public var target: String?
    }

    public struct Part: Codable, Sendable, Equatable {
        public var name: String
        /// The blocks the part holds, in the order it holds them.
        public var blocks: [Int]

        public init(name: String, blocks: [Int]) {
            self.name = name
            self.blocks = blocks
        }

        enum CodingKeys: String, CodingKey {
            case name, blocks
            case firstBlock = "first_block", blockMap = "block_map"
        }

        /// Highest block number a map may start at (2^40 blocks of at least 512 bytes: past any stream).
        static let largestFirstBlock = 1 << 40

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            if let listed = try c.decodeIfPresent([Int].self, forKey: .blocks) {
                blocks = listed
                return
            }
            let first = try c.decode(Int.self, forKey: .firstBlock)
            guard (0...Self.largestFirstBlock).contains(first),
                  let map = Data(base64Encoded: try c.decode(String.self, forKey: .blockMap)) else {
                throw UnsafeLayoutError(reason: "part \(name) has an unreadable block map")
            }
            var blocks: [Int] = []
            for (index, byte) in map.enumerated() where byte != 0 {
                for bit in 0..<8 where byte & (1 << bit) != 0 { blocks.append(first + index * 8 + bit) }
            }
            self.blocks = blocks
        }

        /// The bit map when the blocks rise (as `ParallelPacker` writes them), else the list.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            guard let first = blocks.first, let last = blocks.last, zip(blocks, blocks.dropFirst()).allSatisfy({ $0 < $1 }) else {
                try c.encode(blocks, forKey: .blocks)
                return
            }
            var map = [UInt8](repeating: 0, count: (last - first) / 8 + 1)
            for block in blocks { map[(block - first) / 8] |= UInt8(1) << ((block - first) % 8) }
            try c.encode(first, forKey: .firstBlock)
            try c.encode(Data(map).base64EncodedString(), forKey: .blockMap)
        }
    }

    public var blockSize: Int
    public var files: [File]
    public var parts: [Part]

    enum CodingKeys: String, CodingKey {
        case files, parts
        case blockSize = "block_size"
    }

    /// Regular files sorted by stream offset, for mapping blocks to files.
    public var regularFiles: [File] {
        files.filter { $0.type == .file }.sorted { ($0.offset ?? 0) < ($1.offset ?? 0) }
    }

    /// Bytes in the data stream: the end of the last regular file.
    public var streamLength: Int64 {
        files.filter { $0.type == .file }.map { ($0.offset ?? 0) + ($0.size ?? 0) }.max() ?? 0
    }

    public var blockCount: Int { Int((streamLength + Int64(blockSize) - 1) / Int64(blockSize)) }

    /// The lengths of `blocks` (the last block of the stream may be shorter),
    /// with the stream's length worked out once.
    public func blockLengths(_ blocks: [Int]) -> [Int] {
        let length = streamLength
        return blocks.map { Int(min(Int64(blockSize), length - Int64($0) * Int64(blockSize))) }
    }

    /// For each block, the index of the part that holds it. Throws unless
    /// every block is in exactly one part — otherwise some file would silently
    /// keep zeros, or bytes would be written twice.
    public func blockOwners() throws -> [Int] {
        var owner = [Int](repeating: -1, count: blockCount)
        for (index, part) in parts.enumerated() {
            for block in part.blocks {
                guard block >= 0, block < owner.count, owner[block] == -1 else { throw BlockUnpackingError.longerThanListed }
                owner[block] = index
            }
        }
        guard !owner.contains(-1) else { throw BlockUnpackingError.shorterThanListed }
        return owner
    }
}

/// A `files.json` that authenticated but describes something no backup can
/// be: paths or links leaving the data directory, sizes and offsets that
/// overflow or overlap, blocks that do not add up. An integrity failure
/// (exit code 5); nothing is written.
public struct UnsafeLayoutError: Error, LocalizedError, Equatable {
    public let reason: String
    public var errorDescription: String? { "files.json cannot be restored safely: \(reason)" }
}

extension PhysicalLayout {
    /// Largest file or stream position accepted: 2^50 bytes (1 PiB), far from overflow.
    static let largestPosition: Int64 = 1 << 50

    /// Decodes and checks the layout before anything trusts it.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(blockSize: try c.decode(Int.self, forKey: .blockSize), files: try c.decode([File].self, forKey: .files),
                  parts: try c.decode([Part].self, forKey: .parts))
        try validate()
    }

    /// Every entry stays inside the destination, every regular file has a
    /// sane, non-overlapping place in the stream, and every block of the
    /// stream is in exactly one part.
    public func validate() throws {
        guard (512...(1 << 30)).contains(blockSize) else { throw UnsafeLayoutError(reason: "block size \(blockSize) is out of range") }
        var paths = Set<String>()
        for file in files {
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
            guard paths.insert(file.path).inserted else { throw UnsafeLayoutError(reason: "'\(file.path)' is listed twice") }
            if file.type == .file {
                guard let size = file.size, let offset = file.offset, (0...Self.largestPosition).contains(size),
                      (0...Self.largestPosition).contains(offset) else {
                    throw UnsafeLayoutError(reason: "'\(file.path)' has an impossible size or offset (\(file.size.map(String.init) ?? "none"), \(file.offset.map(String.init) ?? "none"))")
                }
            }
        }
        var end: Int64 = 0
        for file in regularFiles {
            let offset = file.offset ?? 0
            guard offset >= end else { throw UnsafeLayoutError(reason: "'\(file.path)' overlaps the file before it in the stream") }
            end = offset + (file.size ?? 0)
        }
        let blocks = blockCount
        let listed = parts.reduce(0) { $0 + $1.blocks.count }
        guard listed == blocks else {
            throw UnsafeLayoutError(reason: "the parts hold \(listed) block(s), the files need \(blocks)")
        }
        // As many as the stream has, so each block of it in exactly one part (a bit a block).
        var seen = [UInt64](repeating: 0, count: blocks / 64 + 1)
        for part in parts {
            for block in part.blocks {
                guard (0..<blocks).contains(block), seen[block / 64] & (1 << (block % 64)) == 0 else {
                    throw UnsafeLayoutError(reason: "part \(part.name) lists block \(block), which is outside the stream or listed twice")
                }
                seen[block / 64] |= 1 << (block % 64)
            }
        }
    }
}
