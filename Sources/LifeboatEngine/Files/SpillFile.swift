import Foundation

/// A temporary file for what would otherwise grow in memory with the number
/// of files in a data directory (a backup's file list, PostgreSQL's
/// manifest): bytes are appended through a 64 KiB buffer and read back by any
/// number of independent `Reader`s, each with its own position.
///
/// It is created in the temporary directory with mode 0600 and unlinked at
/// once, so nothing is left behind however the process ends; the page cache,
/// not the process, holds its pages.
final class SpillFile: @unchecked Sendable {
    private let descriptor: Int32
    private var pending: [UInt8] = []
    /// Bytes appended so far (flushed or not).
    private(set) var length: Int64 = 0

    static let bufferSize = 64 * 1024

    init() throws {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("lifeboat-spill.XXXXXX")
        var bytes = Array(template.utf8CString)
        let descriptor = mkstemp(&bytes)
        guard descriptor >= 0 else { throw LocalFile.Failure(operation: "create", path: template, code: errno) }
        unlink(String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        self.descriptor = descriptor
        pending.reserveCapacity(Self.bufferSize)
    }

    deinit { close(descriptor) }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        if pending.count + bytes.count > Self.bufferSize { try flush() }
        if bytes.count >= Self.bufferSize {
            try write(bytes)
        } else {
            pending.append(contentsOf: bytes)
        }
        length += Int64(bytes.count)
    }

    func append(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try append($0) } }

    func append(_ text: String) throws {
        var text = text
        try text.withUTF8 { try append(UnsafeRawBufferPointer($0)) }
    }

    /// Writes out what is buffered; readers see everything appended before.
    func flush() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBytes { try write($0) }
        pending.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(length - Int64(pending.count) + Int64(done)))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw LocalFile.Failure(operation: "write", path: "a temporary file in \(NSTemporaryDirectory())", code: n < 0 ? errno : ENOSPC) }
            done += n
        }
    }

    /// A reader from `offset` (call `flush` first).
    func reader(from offset: Int64 = 0) -> Reader { Reader(file: self, position: offset) }

    /// Sequential reads through a buffer of its own, from any thread.
    final class Reader {
        let file: SpillFile
        /// The position of the next byte `read` returns.
        private(set) var position: Int64
        private var buffer = [UInt8](repeating: 0, count: SpillFile.bufferSize)
        private var filled = 0
        private var used = 0

        init(file: SpillFile, position: Int64) {
            self.file = file
            self.position = position
        }

        /// Up to `target.count` bytes; 0 at the end.
        func read(into target: UnsafeMutableRawBufferPointer) throws -> Int {
            if used == filled, try !refill() { return 0 }
            let n = min(target.count, filled - used)
            buffer.withUnsafeBytes { target.baseAddress!.copyMemory(from: $0.baseAddress! + used, byteCount: n) }
            used += n
            position += Int64(n)
            return n
        }

        /// Exactly `count` bytes, or nil at the end of the file (a shorter tail is an error).
        func read(count: Int) throws -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = try bytes.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[done...])) }
                if n == 0 {
                    if done == 0 { return nil }
                    throw LocalFile.Failure(operation: "read", path: "a temporary file in \(NSTemporaryDirectory())", code: EIO)
                }
                done += n
            }
            return bytes
        }

        private func refill() throws -> Bool {
            let start = position
            let n = buffer.withUnsafeMutableBytes { pread(file.descriptor, $0.baseAddress, $0.count, off_t(start)) }
            guard n >= 0 else { throw LocalFile.Failure(operation: "read", path: "a temporary file in \(NSTemporaryDirectory())", code: errno) }
            filled = n
            used = 0
            return n > 0
        }
    }
}

extension SpillFile {
    /// `head`, then everything appended (call `flush` first), then `tail`, as
    /// a source of bytes that returns 0 at the end.
    func source(between head: [UInt8], and tail: [UInt8]) -> (UnsafeMutableRawBufferPointer) throws -> Int {
        var first = head[...]
        var middle: Reader? = reader()
        var last = tail[...]
        return { buffer in
            if !first.isEmpty {
                let n = min(buffer.count, first.count)
                buffer.copyBytes(from: first.prefix(n))
                first = first.dropFirst(n)
                return n
            }
            if let reader = middle {
                let n = try reader.read(into: buffer)
                if n > 0 { return n }
                middle = nil
            }
            let n = min(buffer.count, last.count)
            buffer.copyBytes(from: last.prefix(n))
            last = last.dropFirst(n)
            return n
        }
    }
}
