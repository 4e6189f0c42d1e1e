import CZstd

/// One zstd frame of unknown length, compressed as the input arrives and
/// written straight into space its caller lends: no output buffer of its own
/// and no copy of the compressed bytes, unlike a libarchive writer (whose
/// filter keeps a 128 KiB buffer the compressed bytes pass through). The frame
/// is an ordinary zstd frame without a checksum, as libarchive's zstd filter
/// writes it, so `ArchiveReader` reads it back.
///
/// Memory: the zstd streaming context, about 3.5 MiB at level 3 (a 2 MiB
/// window and its tables). Not thread-safe; one frame per compressor.
public final class ZstdStreamCompressor {
    /// Lends writable space to the compressor: calls `body` with free bytes
    /// and keeps the count it returns. Each call must offer at least one byte.
    public typealias Space = (_ body: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Void

    private let context: OpaquePointer
    private var finished = false
    /// The threads of libzstd's own that compress (0: the caller's thread).
    public let workers: Int

    /// With `workers` above 0, libzstd compresses on that many threads of its
    /// own (the policy's `compression.threads`), each with its own buffers.
    public init(level: Int, workers: Int = 0) throws {
        context = try makeZstdContext(level: level)
        self.workers = workers
        if workers > 0 {
            let status = ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, Int32(workers))
            guard ZSTD_isError(status) == 0 else {
                ZSTD_freeCCtx(context)
                throw zstdError("set \(workers) zstd threads", status)
            }
        }
    }



    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `input`, writing whatever output is ready into `space`.
    public func write(_ input: UnsafeRawBufferPointer, into space: Space) throws {
        precondition(!finished, "write after finish")
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while source.pos < source.size {
            _ = try step(&source, .continue, into: space)
        }
    }

    /// Ends the frame: writes everything still held into `space`.
    public func finish(into space: Space) throws {
        guard !finished else { return }
        var empty = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try step(&empty, .end, into: space) != 0 {}
        finished = true
    }

    private enum Directive { case `continue`, end }

    /// One call of the compressor into one lent space; returns what zstd says
    /// is left to flush (0 when a frame end is complete).
    private func step(_ source: inout ZSTD_inBuffer, _ directive: Directive, into space: Space) throws -> Int {
        var remaining = 0
        try space { free in
            var output = ZSTD_outBuffer(dst: free.baseAddress, size: free.count, pos: 0)
            let result = ZSTD_compressStream2(context, &output, &source, directive == .end ? ZSTD_e_end : ZSTD_e_continue)
            guard ZSTD_isError(result) == 0 else { throw zstdError("zstd compression", result) }
            remaining = result
            return output.pos
        }
        return remaining
    }
}
