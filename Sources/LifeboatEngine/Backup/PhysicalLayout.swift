import Foundation
import Pipeline

/// `<cluster>/backups/<id>/files.json` (sealed): how a physical backup's data
/// parts map back to the files of the data directory.
///
/// The regular files' contents, in the order the server sent them, form one
/// stream; file `f` is bytes `offset ..< offset + size` of it, and regular
/// files are listed in the order of their `offset`. The stream is cut into
/// blocks of `block_size` bytes (block `b` is bytes `b × block_size ..< (b + 1)
/// × block_size`, the last one shorter), and each part object holds a
/// compressed concatenation of its blocks in rising order (see `ParallelPacker`).
///
/// ```json
/// {"block_size": 1048576,
///  "files": [
/// {"mode": 384, "mtime": 1763780000, "offset": 0, "path": "PG_VERSION", "sha256": "…", "size": 3, "type": "file"},
/// {"mode": 448, "mtime": 1763780000, "path": "base", "type": "directory"},
/// {"mode": 511, "mtime": 0, "path": "x", "target": "…", "type": "symlink"}
/// ],
///  "parts": [
/// {"block_map": "DQ==", "first_block": 0, "name": "data-0001"},
/// {"block_map": "CQ==", "first_block": 1, "name": "data-0002"}
/// ]}
/// ```
/// A part's blocks are a bit map (`BlockMap`): block `first_block + i` is in
/// the part when bit `i` of `block_map` (base64; byte `i / 8`, bit `i % 8`,
/// least significant first) is set. Backups written before 2026-11-22 list
/// them as `"blocks": [0, 2, 3]` (rising), which is still read. `mode` is the
/// permission bits, `mtime` seconds since the epoch, `sha256` the file's own
/// SHA-256 (lower-case hex), so a file can be checked on its own.
///
/// The document grows with the number of files, so neither side holds it:
/// `PhysicalLayoutWriter` writes it as a backup goes, and `read` checks it as
/// it streams in, keeping the regular files in a `SpillFile` (read back in
/// stream order through `regularFiles()`) and in memory only the directories,
/// links, parts and a 64-bit hash of each path.
public final class PhysicalLayout: @unchecked Sendable {
    public struct File: Sendable, Equatable {
        public enum FileType: String, Sendable { case file, directory, symlink }
        public var path: String
        public var type: FileType
        public var mode: UInt32
        public var mtime: Int64
        public var size: Int64?
        public var offset: Int64?
        public var sha256: String?
        public var target: String?
    }

    /// One data part and the blocks it holds.
    public struct Part: Sendable, Equatable {
        public var name: String
        public var blocks: BlockMap
    }

    public let blockSize: Int
    public let parts: [Part]
    /// Directories in the order listed (parents before their contents).
    public let directories: [File]
    public let symlinks: [File]
    public let regularFileCount: Int
    /// The sum of the regular files' sizes.
    public let regularBytes: Int64
    /// Bytes in the data stream: the end of the last regular file.
    public let streamLength: Int64
    private let regular: SpillFile
    private let pathHashes: Set<Int>

    init(blockSize: Int, parts: [Part], directories: [File], symlinks: [File], regular: SpillFile, regularFileCount: Int,
         regularBytes: Int64, streamLength: Int64, pathHashes: Set<Int>) {
        self.blockSize = blockSize
        self.parts = parts
        self.directories = directories
        self.symlinks = symlinks
        self.regular = regular
        self.regularFileCount = regularFileCount
        self.regularBytes = regularBytes
        self.streamLength = streamLength
        self.pathHashes = pathHashes
    }

    public var blockCount: Int { Self.blockCount(streamLength: streamLength, blockSize: blockSize) }

    static func blockCount(streamLength: Int64, blockSize: Int) -> Int {
        Int((streamLength + Int64(blockSize) - 1) / Int64(blockSize))
    }

    /// The length of block `block` (the stream's last block may be shorter).
    public func blockLength(_ block: Int) -> Int {
        Int(min(Int64(blockSize), streamLength - Int64(block) * Int64(blockSize)))
    }

    /// The regular files, in stream order, each with its position in that order.
    func regularFiles() -> RegularFiles { RegularFiles(reader: regular.reader()) }

    /// Whether a regular file is listed under `path`, by a 64-bit hash of the
    /// path: an unlisted path passes for a listed one with odds of one in
    /// 2^64 for each listed file.
    func listsRegularFile(_ path: String) -> Bool { pathHashes.contains(Self.hash(path)) }

    static func hash(_ path: String) -> Int {
        var hasher = Hasher()
        hasher.combine(path)
        return hasher.finalize()
    }

    /// Reads the spilled regular files back, one record at a time.
    struct RegularFiles {
        let reader: SpillFile.Reader
        private(set) var index = -1

        init(reader: SpillFile.Reader) { self.reader = reader }

        /// The next file and its index in stream order, or nil after the last.
        mutating func next() throws -> (index: Int, file: File)? {
            guard let fixed = try reader.read(count: Record.fixedBytes) else { return nil }
            let record = Record(fixed)
            guard let path = try reader.read(count: record.pathBytes), let digest = try reader.read(count: record.digestBytes) else {
                throw LocalFile.Failure(operation: "read", path: "a temporary file in \(NSTemporaryDirectory())", code: EIO)
            }
            index += 1
            return (index, File(path: String(decoding: path, as: UTF8.self), type: .file, mode: record.mode, mtime: record.mtime,
                                size: record.size, offset: record.offset, sha256: String(decoding: digest, as: UTF8.self)))
        }
    }

    /// A regular file in the spill: offset, size, mtime (8 bytes each), mode,
    /// path length, digest length (4 bytes each), then the path and digest.
    struct Record {
        static let fixedBytes = 36
        var offset: Int64, size: Int64, mtime: Int64, mode: UInt32, pathBytes: Int, digestBytes: Int

        init(_ bytes: [UInt8]) {
            func integer(_ at: Int, _ count: Int) -> UInt64 {
                (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
            }
            offset = Int64(bitPattern: integer(0, 8))
            size = Int64(bitPattern: integer(8, 8))
            mtime = Int64(bitPattern: integer(16, 8))
            mode = UInt32(integer(24, 4))
            pathBytes = Int(integer(28, 4))
            digestBytes = Int(integer(32, 4))
        }

        static func encode(_ file: File) -> [UInt8] {
            func bytes(_ value: UInt64, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
            let path = Array(file.path.utf8)
            let digest = Array((file.sha256 ?? "").utf8)
            return bytes(UInt64(bitPattern: file.offset ?? 0), 8) + bytes(UInt64(bitPattern: file.size ?? 0), 8)
                + bytes(UInt64(bitPattern: file.mtime), 8) + bytes(UInt64(file.mode), 4) + bytes(UInt64(path.count), 4)
                + bytes(UInt64(digest.count), 4) + path + digest
        }
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
