import Archive

/// Compresses one part of a `ParallelPacker` stream into its sealing writer.
///
/// zstd, the algorithm of every physical backup of a new repository, writes
/// its frame straight into the sealer's chunk (`ZstdStreamCompressor`); the
/// other algorithms go through libarchive's raw writer. Both produce the same
/// kind of stream, which `ArchiveReader` reads.
enum PartCompressor {
    case zstd(ZstdStreamCompressor, SealingWriter)
    case libarchive(ArchiveWriter)

    init(_ compression: Compression, sealer: SealingWriter) throws {
        if compression.algorithm == .zstd {
            self = .zstd(try ZstdStreamCompressor(level: compression.level), sealer)
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
