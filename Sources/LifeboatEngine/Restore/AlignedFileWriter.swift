import Foundation

/// Writes one worker's share of a restore: pieces of files, each piece at an
/// offset in its file, gathered into writes that end on `alignment` boundaries
/// of the file (1 MiB), each handed to writeback as soon as it is written.
///
/// The decompressor hands out pieces of up to 128 KiB wherever they fall in a
/// file; written as they come, the page cache builds them from small folios
/// (the kernel sizes a folio by the alignment of its offset): the restore's
/// writes took 1.4 times the kernel time of these gathered ones. Gathered,
/// every write but the first of a run starts on a boundary.
final class AlignedFileWriter {
    let alignment: Int
    private let buffer: UnsafeMutableRawBufferPointer
    private var open: (index: Int, file: LocalFile)?
    /// Where the gathered bytes go in the open file.
    private var start: Int64 = 0
    private var count = 0

    init(alignment: Int = 1 << 20) {
        self.alignment = alignment
        buffer = .allocate(byteCount: alignment, alignment: 4096)
    }

    deinit { buffer.deallocate() }

    /// Gathers `bytes` for offset `offset` of the file numbered `index`,
    /// opening it with `opening` when it is not the open one; writes out what
    /// was gathered before when the piece does not follow on from it.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64, file index: Int, opening: () throws -> LocalFile) throws {
        if open?.index != index {
            try flush()
            try open?.file.close()
            open = nil
            open = (index, try opening())
        } else if offset != start + Int64(count) {
            try flush()
        }
        if count == 0 { start = offset }
        var used = 0
        while used < bytes.count {
            // Up to the next boundary of the file, so that the next write starts on one.
            let boundary = (start / Int64(alignment) + 1) * Int64(alignment)
            let n = min(bytes.count - used, Int(boundary - start) - count)
            UnsafeMutableRawBufferPointer(rebasing: buffer[count..<count + n]).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[used..<used + n]))
            count += n
            used += n
            // Written out, the next bytes start at the boundary (`flush` moves `start` on).
            if start + Int64(count) == boundary { try flush() }
        }
    }

    /// Writes out what is gathered and starts its writeback.
    func flush() throws {
        guard count > 0, let file = open?.file else { return }
        try file.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), at: start)
        // Written back while the other blocks decompress: the final syncfs has little left to flush.
        file.startWriteback(offset: start, count: count)
        start += Int64(count)
        count = 0
    }

    /// Writes out what is gathered and closes the open file.
    func close() throws {
        try flush()
        try open?.file.close()
        open = nil
    }
}
