import Archive

/// Compresses one stream into a sealing writer: a part of a `ParallelPacker`
/// stream, or a whole dump (`StreamPacking.compress`).
///
/// zstd, the policies' usual algorithm, writes its frame straight into the
/// sealer's chunk (`ZstdStreamCompressor`); the other algorithms go through
/// libarchive's raw writer. Both produce the same kind of stream, which
/// `ArchiveReader` reads.
enum SealedCompressor {
    case zstd(ZstdStreamCompressor, SealingWriter)
    case libarchive(ArchiveWriter)

    init(_ compression: Compression, sealer: SealingWriter) throws {
        if compression.algorithm == .zstd {
            // `threads` as libarchive's writer takes it: above 1, that many threads of libzstd's own.
            let workers = compression.threads > 1 ? compression.threads : 0
            self = .zstd(try ZstdStreamCompressor(level: compression.level, workers: workers), sealer)
        } else {
            self = .libarchive(try ArchiveWriter(compression: compression, format: .raw) { try sealer.write($0) })
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        switch self {
        case let .zstd(compressor, sealer): try compressor.write(bytes, into: sealer.fill)
        case let .libarchive(writer): try writer.writeData(bytes)
        }
    }

    /// Ends the compressed stream; the caller then finishes the sealer.
    func finish() throws {
        switch self {
        case let .zstd(compressor, sealer): try compressor.finish(into: sealer.fill)
        case let .libarchive(writer): try writer.finish()
        }
    }
}
