import Archive
import Foundation

extension StreamPacking {
    /// Compresses a file of known size on several cores into one sealed
    /// stream, for a single large file such as a 16 MiB WAL segment.
    ///
    /// The file is cut into 1 MiB ranges, each compressed whole as its own
    /// zstd frame (`ZstdFrameCompressor`); `workers` threads take the ranges
    /// in turn (worker w the ranges w, w + workers, …) and write their frames
    /// to `sealer` in file order, so the stream is the frames' concatenation,
    /// which zstd (and `unpack`) decompress as one. Each worker holds one
    /// range, its frame and a context sized for 1 MiB: a few MiB in all,
    /// against the half-segment of compressed bytes that waited in memory
    /// when the file was cut into one range per worker. Splitting into 1 MiB
    /// frames costs about 0.3% in size on WAL. Other algorithms, and files
    /// under 2 MiB, are compressed on one thread by `compress`.
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
        let frames = FrameTurns(size: size, rangeSize: Int(mebibyte), workers: count, level: compression.level, read: read, sealer: sealer)
        let group = DispatchGroup()
        for worker in 1..<count {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                frames.run(worker: worker)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        frames.run(worker: 0)
        group.wait()
        if let failure = frames.failure { throw failure }
        return size
    }
}

/// The ranges of `compressRanges`, the workers that compress them, and whose
/// turn it is to write: `sealer` is written by one worker at a time, in
/// range order, each handing the turn on under `condition`.
private final class FrameTurns: @unchecked Sendable {
    let size: Int64
    let rangeSize: Int
    let workers: Int
    let rangeCount: Int
    let level: Int
    let read: @Sendable (Int64, UnsafeMutableRawBufferPointer) throws -> Int
    let sealer: SealingWriter
    private let condition = NSCondition()
    /// The range whose frame is written next.
    private var next = 0
    private var firstFailure: Error?

    init(size: Int64, rangeSize: Int, workers: Int, level: Int, read: @escaping @Sendable (Int64, UnsafeMutableRawBufferPointer) throws -> Int,
         sealer: SealingWriter) {
        self.size = size
        self.rangeSize = rangeSize
        self.workers = workers
        self.level = level
        self.read = read
        self.sealer = sealer
        rangeCount = Int((size + Int64(rangeSize) - 1) / Int64(rangeSize))
    }

    /// The first error of any worker.
    var failure: Error? { condition.withLock { firstFailure } }

    /// Compresses ranges `worker`, `worker + workers`, … and writes each frame
    /// in its turn; stops at the first failure, its own or another worker's.
    func run(worker: Int) {
        do {
            let compressor = try ZstdFrameCompressor(level: level)
            let input = UnsafeMutableRawBufferPointer.allocate(byteCount: rangeSize, alignment: 64)
            defer { input.deallocate() }
            let output = UnsafeMutableRawBufferPointer.allocate(byteCount: ZstdFrameCompressor.bound(rangeSize), alignment: 64)
            defer { output.deallocate() }
            for index in stride(from: worker, to: rangeCount, by: workers) {
                let start = Int64(index) * Int64(rangeSize)
                let length = Int(min(Int64(rangeSize), size - start))
                var filled = 0
                while filled < length {
                    let n = try read(start + Int64(filled), UnsafeMutableRawBufferPointer(rebasing: input[filled..<length]))
                    guard n > 0 else { throw FileShrankError(expected: size, read: start + Int64(filled)) }
                    filled += n
                }
                let frame = try compressor.compress(UnsafeRawBufferPointer(rebasing: input[0..<length]), into: output)
                guard waitForTurn(index) else { return }
                try sealer.write(UnsafeRawBufferPointer(rebasing: output[0..<frame]))
                condition.withLock {
                    next = index + 1
                    condition.broadcast()
                }
            }
        } catch {
            condition.withLock {
                if firstFailure == nil { firstFailure = error }
                condition.broadcast()
            }
        }
    }

    /// Waits until the frame of range `index` is the next to write; false
    /// when a worker failed instead.
    private func waitForTurn(_ index: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while next != index, firstFailure == nil { condition.wait() }
        return firstFailure == nil
    }
}

/// A file ended before the size it had when its compression started.
public struct FileShrankError: Error, LocalizedError {
    public let expected: Int64
    public let read: Int64
    public var errorDescription: String? { "the file shrank while it was read: \(read) of \(expected) bytes" }
}
