import CFileSupport
import Foundation
import Seal

/// An open file descriptor with the few operations restores and WAL transfers
/// need, each turning `errno` into an error naming the path. Closed on deinit.
final class LocalFile {
    let path: String
    private(set) var descriptor: Int32

    /// A file-system operation that failed.
    struct Failure: Error, LocalizedError {
        let operation: String
        let path: String
        let code: Int32
        var errorDescription: String? { "cannot \(operation) \(path): \(String(cString: strerror(code)))" }
    }

    init(path: String, flags: Int32, mode: mode_t = 0o600) throws {
        self.path = path
        descriptor = Foundation.open(path, flags | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(operation: "open", path: path, code: errno) }
    }

    static func reading(_ path: String) throws -> LocalFile { try LocalFile(path: path, flags: O_RDONLY) }

    /// A new file that must not exist yet.
    static func creating(_ path: String, mode: mode_t = 0o600) throws -> LocalFile {
        try LocalFile(path: path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode)
    }

    deinit { if descriptor >= 0 { Foundation.close(descriptor) } }

    func close() throws {
        let fd = descriptor
        descriptor = -1
        guard Foundation.close(fd) == 0 else { throw Failure(operation: "close", path: path, code: errno) }
    }

    var size: Int64 {
        get throws {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw Failure(operation: "stat", path: path, code: errno) }
            return Int64(status.st_size)
        }
    }

    /// Up to `buffer.count` bytes; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            guard errno == EINTR else { throw Failure(operation: "read", path: path, code: errno) }
        }
    }

    /// Exactly `count` bytes from `offset`, or fewer at the end of the file.
    func read(count: Int, at offset: Int64) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(descriptor, base + done, count - done, off_t(offset) + off_t(done))
            }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw Failure(operation: "read", path: path, code: errno) }
            if n == 0 { break }
            done += n
        }
        return Array(bytes[0..<done])
    }

    /// Appends all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(descriptor, base + done, bytes.count - done)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw Failure(operation: "write", path: path, code: errno) }
            done += n
        }
    }

    /// Writes all of `bytes` at `offset`.
    /// Starts writing `count` bytes at `offset` back to disk, without waiting (see `lifeboat_start_writeback`).
    func startWriteback(offset: Int64, count: Int) {
        _ = lifeboat_start_writeback(descriptor, offset, Int64(count))
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, base + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw Failure(operation: "write", path: path, code: errno) }
            done += n
        }
    }

    func rewind() throws {
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw Failure(operation: "seek in", path: path, code: errno) }
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else { throw Failure(operation: "sync", path: path, code: errno) }
    }

    func truncate(to size: Int64) throws {
        guard ftruncate(descriptor, off_t(size)) == 0 else { throw Failure(operation: "resize", path: path, code: errno) }
    }
}

extension LocalFile {
    /// Renames `from` to `to` (same file system), replacing `to`.
    static func rename(_ from: String, to: String) throws {
        guard Foundation.rename(from, to) == 0 else { throw Failure(operation: "rename \(from) to", path: to, code: errno) }
    }

    /// fsyncs a directory so that entries created or renamed in it are durable.
    static func syncDirectory(_ path: String) throws {
        let file = try LocalFile(path: path, flags: O_RDONLY | O_DIRECTORY)
        try file.sync()
    }
}

extension LocalFile {
    /// SHA-256 (lower-case hex) of the rest of the file, read in 1 MiB pieces.
    func sha256() throws -> String {
        let hasher = try SHA256Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = try read(into: buffer)
            if n == 0 { break }
            try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return try hasher.finish().hexString
    }
}
