import Archive
import Foundation

/// Compresses and seals on a thread of its own what another thread reads:
/// the reader fills a free buffer and hands it over, and reads the next piece
/// while this thread compresses the last. A dump's reader (the pipe, and the
/// SHA-256 of every byte) and its compressor then run on two cores instead of
/// taking turns on one — which also keeps the program that writes the dump
/// from waiting on a full pipe while lifeboat compresses.
///
/// Memory: `bufferCount` buffers of `bufferSize` bytes and one compressor,
/// created at the first byte (an empty stream is stored as nothing at all: a
/// compressor's empty frame is not recognisable when read back). The sealer
/// is touched only by this thread until `finish` returns.
final class CompressingThread: @unchecked Sendable {
    static let bufferSize = 512 << 10
    static let bufferCount = 3

    private struct Filled: @unchecked Sendable {
        let buffer: UnsafeMutableRawBufferPointer
        let count: Int
    }

    private let compression: Compression
    private let sealer: SealingWriter
    private let filled = BlockQueue<Filled>(capacity: bufferCount)
    private let free = BlockQueue<UnsafeMutableRawBufferPointer>(capacity: bufferCount)
    private var buffers: [UnsafeMutableRawBufferPointer] = []
    private let done = DispatchSemaphore(value: 0)
    /// Written by the thread before it signals `done`; read after `done`.
    private var failure: Error?
    /// Set by the reader before it closes `filled`: the stream is abandoned, not ended.
    private var abandoned = false

    init(compression: Compression, sealer: SealingWriter) {
        self.compression = compression
        self.sealer = sealer
        for _ in 0..<Self.bufferCount {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 64)
            buffers.append(buffer)
            free.push(buffer)
        }
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }

    /// A buffer to read into, or nil once the compressor has failed (`finish` throws why).
    func nextBuffer() -> UnsafeMutableRawBufferPointer? { free.pop() }

    /// Hands over `count` bytes read into `buffer` (from `nextBuffer`).
    func compress(_ buffer: UnsafeMutableRawBufferPointer, count: Int) {
        filled.push(Filled(buffer: buffer, count: count))
    }

    /// Ends the stream once everything handed over is compressed; throws the
    /// compressor's failure. With `abandon`, stops without ending it.
    func finish(abandon: Bool = false) throws {
        abandoned = abandon
        filled.close()
        done.wait()
        if let failure { throw failure }
    }

    private func run() {
        do {
            var compressor: SealedCompressor?
            while let piece = filled.pop() {
                if compressor == nil { compressor = try SealedCompressor(compression, sealer: sealer) }
                try compressor?.write(UnsafeRawBufferPointer(rebasing: piece.buffer[0..<piece.count]))
                free.push(piece.buffer)
            }
            if !abandoned { try compressor?.finish() }
        } catch {
            failure = error
            free.close()
            filled.close()
        }
    }
}
