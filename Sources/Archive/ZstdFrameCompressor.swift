import CZstd

/// One zstd context that compresses whole buffers, each into one frame with
/// its content size in the header, reused from frame to frame: for pieces
/// whose size is known before they are compressed, such as the ranges of a
/// WAL segment. Compressing a whole buffer at once needs no window buffer of
/// its own and sizes its tables to the input, so a context for 1 MiB pieces
/// takes about a third of a streaming one. The frames are ordinary zstd
/// frames: `ArchiveReader` reads them, one after another, as one stream.
public final class ZstdFrameCompressor {
    private let context: OpaquePointer

    public init(level: Int) throws {
        context = try makeZstdContext(level: level)
    }

    deinit { ZSTD_freeCCtx(context) }

    /// The most a frame of `count` bytes can take: what `compress` needs as output.
    public static func bound(_ count: Int) -> Int { ZSTD_compressBound(count) }

    /// Compresses `input` into `output` (at least `bound(input.count)` bytes)
    /// as one frame; returns the frame's length.
    public func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let length = ZSTD_compress2(context, output.baseAddress, output.count, input.baseAddress, input.count)
        guard ZSTD_isError(length) == 0 else { throw zstdError("zstd compression", length) }
        return length
    }
}
