import Archive
import Foundation

extension StreamPacking {
    /// Compresses a file of known size on several cores into one sealed
    /// stream, for a single large file such as a 16 MiB WAL segment.
    ///
    /// The file is cut into `workers` contiguous ranges (whole MiB), each
    /// compressed by its own thread as an independent zstd frame; the frames
    /// are written in order, so the stream is their concatenation, which zstd
    /// (and `unpack`) decompress as one. The first range streams straight into
    /// `sealer`; the others wait in memory as compressed bytes until their
    /// turn. Other algorithms, and files under 2 MiB, are compressed on one
    /// thread by `compress`.
    ///
    /// `read(offset, buffer)` is a positioned read (`pread`), called from
    /// several threads at once; it returns 0 only at the end of the file.
    /// Returns the plaintext size; throws `FileShrankError` when the file
    /// holds fewer than `size` bytes.
    public static func compressRanges(
        size: Int64,
        workers: Int,
        compression: Compression,
        read: @escaping @Sendable (Int64, UnsafeMutableRawBufferPointer) throws -> Int,
        into sealer: SealingWriter
    ) throws -> Int64 {
        let mebibyte: Int64 = 1 << 20
        let count = Int(min(Int64(max(1, workers)), size / (2 * mebibyte)))
        guard compression.algorithm == .zstd, count > 1 else {
            var offset: Int64 = 0
            let total = try compress(from: { buffer in
                let n = try read(offset, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), size - offset))]))
                offset += Int64(n)
                return n
            }, compression: compression, into: sealer)
            guard total == size else { throw FileShrankError(expected: size, read: total) }
            return total
        }
        let step = (size / Int64(count) + mebibyte - 1) / mebibyte * mebibyte
        let ranges = (0..<count).map { index in
            (index * Int(step) ..< (index == count - 1 ? Int(size) : (index + 1) * Int(step)))
        }
        let frames = (1..<count).map { _ in CompressedFrame() }
        let group = DispatchGroup()
        for (frame, range) in zip(frames, ranges.dropFirst()) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    // Room for the compressed range up front, incompressible included
                    // (zstd's bound is the input plus 1/256 and a frame header): it never
                    // grows by copying, so at most the bytes written are resident.
                    frame.bytes.reserveCapacity(range.count + range.count / 128 + 4096)
                    frame.plaintextBytes = try compressRange(range, compression: compression, read: read) { frame.bytes += $0 }
                } catch {
                    frame.failure = error
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        var total: Int64 = 0
        let first = Result { try compressRange(ranges[0], compression: compression, read: read) { try sealer.write($0) } }
        group.wait()
        total += try first.get()
        for frame in frames {
            if let failure = frame.failure { throw failure }
            try sealer.write(frame.bytes)
            total += frame.plaintextBytes
        }
        return total
    }

    /// One range as one compressed frame, handed to `sink` piece by piece.
    private static func compressRange(
        _ range: Range<Int>, compression: Compression,
        read: (Int64, UnsafeMutableRawBufferPointer) throws -> Int,
        sink: @escaping (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int64 {
        let writer = try ArchiveWriter(compression: compression, format: .raw, sink: sink)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 64)
        defer { buffer.deallocate() }
        var offset = Int64(range.lowerBound)
        while offset < Int64(range.upperBound) {
            let wanted = Int(min(Int64(buffer.count), Int64(range.upperBound) - offset))
            let n = try read(offset, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
            if n == 0 { break }
            try writer.writeData(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += Int64(n)
        }
        guard offset == Int64(range.upperBound) else { throw FileShrankError(expected: Int64(range.upperBound), read: offset) }
        try writer.finish()
        return offset - Int64(range.lowerBound)
    }
}

/// A file ended before the size it had when its compression started.
public struct FileShrankError: Error, LocalizedError {
    public let expected: Int64
    public let read: Int64
    public var errorDescription: String? { "the file shrank while it was read: \(read) of \(expected) bytes" }
}

/// A range compressed by a helper thread, waiting for its turn.
private final class CompressedFrame: @unchecked Sendable {
    var bytes: [UInt8] = []
    var plaintextBytes: Int64 = 0
    var failure: Error?
}
