import Archive
import Foundation
import Seal

/// A directory tree as one sealed object: a pax tar stream (uncompressed — the
/// files are already compressed by the program that wrote them, such as
/// `pg_dump --format=directory`), hashed and counted as it is sealed; and back,
/// extracted safely under a destination while the same hash is computed.
public enum TreePacking {
    /// Packs every file and directory under `directory` (in name order).
    public static func pack(directory: String, into sealer: SealingWriter, progress: @escaping (Int64) -> Void = { _ in }) throws -> StreamPacking.Summary {
        let hasher = try SHA256Hasher()
        var total: Int64 = 0
        let writer = try ArchiveWriter(compression: .none, format: .tar) { bytes in
            try hasher.update(bytes)
            total += Int64(bytes.count)
            try sealer.write(bytes)
            progress(total)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        let paths = (FileManager.default.subpaths(atPath: directory) ?? []).sorted()
        for path in paths {
            let full = directory + "/" + path
            var status = stat()
            guard lstat(full, &status) == 0 else { throw ArchiveError.badDestination(path: full, reason: String(cString: strerror(errno))) }
            let permissions = UInt32(status.st_mode) & 0o777
            let modified = Int64(status.st_mtim.tv_sec)
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                try writer.writeHeader(ArchiveEntryInfo(path: path, kind: .directory, permissions: permissions, modificationTime: modified))
            case S_IFREG:
                try writer.writeHeader(ArchiveEntryInfo(path: path, kind: .file, size: Int64(status.st_size), permissions: permissions, modificationTime: modified))
                let fd = open(full, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw ArchiveError.badDestination(path: full, reason: String(cString: strerror(errno))) }
                defer { close(fd) }
                var remaining = Int64(status.st_size)
                while remaining > 0 {
                    let n = read(fd, buffer.baseAddress, min(buffer.count, Int(remaining)))
                    if n < 0, errno == EINTR { continue }
                    guard n > 0 else { throw ArchiveError.badDestination(path: full, reason: "changed size while being read") }
                    try writer.writeData(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                    remaining -= Int64(n)
                }
            default:
                throw ArchiveError.unsafeEntry(path: path, reason: "only files and directories are packed")
            }
        }
        try writer.finish()
        return StreamPacking.Summary(plaintextBytes: total, sha256: try hasher.finish().hexString)
    }

    /// Authenticates, hashes and — when `destination` is given — safely extracts
    /// a packed tree. Without a destination the tar stream is still read through
    /// to the end, which checks its structure.
    public static func unpack(from reader: UnsealingReader, into destination: String?, progress: @escaping (Int64) -> Void = { _ in }) throws -> StreamPacking.Summary {
        let hasher = try SHA256Hasher()
        var total: Int64 = 0
        let source: (UnsafeMutableRawBufferPointer) throws -> Int = { buffer in
            let n = try reader.read(into: buffer)
            try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            total += Int64(n)
            progress(total)
            return n
        }
        let archive = try ArchiveReader(format: .tar, source: source)
        if let destination {
            try SafeExtractor(destination: destination).extract(from: archive)
        } else {
            while try archive.nextEntry() != nil {}
        }
        // Whatever libarchive did not need (end-of-archive padding) still counts.
        let rest = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { rest.deallocate() }
        while try source(rest) > 0 {}
        return StreamPacking.Summary(plaintextBytes: total, sha256: try hasher.finish().hexString)
    }
}
