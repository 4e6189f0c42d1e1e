import Archive
import LifeboatTestSupport
import Pipeline
import Seal
import Testing

/// Compress-and-seal in one pass, and back, with size and checksum.
@Suite struct StreamPackingTests {
    @Test(arguments: [0, 1, 3_000_001])
    func packAndUnpackRoundTrip(_ size: Int) throws {
        let keys = try FixedKeys.make()
        let data = SealedStreamTests.sample(size)
        var sealed: [UInt8] = []
        let sealer = try SealingWriter(object: "lms/db", keys: keys) { sealed += Array($0) }
        let packed = try StreamPacking.pack(from: ByteArraySource(data, pieceSize: 100_000).read(into:),
                                            compression: Compression(.zstd, level: 3), into: sealer)
        try sealer.finish()
        #expect(packed.plaintextBytes == Int64(size))
        #expect(packed.sha256 == (try SHA256Hasher.digest(data)).hexString)

        let reader = try UnsealingReader(object: "lms/db", keys: keys, source: ByteArraySource(sealed).read(into:))
        var out: [UInt8] = []
        let unpacked = try StreamPacking.unpack(from: reader, to: { out += Array($0) })
        #expect(unpacked == packed)
        #expect(out == data)
    }

    /// Reading and compressing run on two threads: a read that fails, and a
    /// store that fails under the compressor, each end the packing with their
    /// own error, whenever they happen, and leave no thread waiting.
    @Test(arguments: [0, 1, 7])
    func failuresOnEitherSideEndThePacking(_ failAfter: Int) throws {
        struct ReadFailed: Error {}
        struct StoreFailed: Error {}
        let keys = try FixedKeys.make()
        let data = SealedStreamTests.sample(3_000_000)
        var reads = 0
        let failingSource = ByteArraySource(data, pieceSize: 100_000)
        let quietSealer = try SealingWriter(object: "lms/db", keys: keys) { _ in }
        #expect(throws: ReadFailed.self) {
            _ = try StreamPacking.pack(from: { buffer in
                reads += 1
                if reads > failAfter { throw ReadFailed() }
                return try failingSource.read(into: buffer)
            }, compression: Compression(.zstd, level: 3), into: quietSealer)
        }

        // Random bytes: the compressor's output fills chunks at once.
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<3_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var sealedChunks = 0
        let failingSealer = try SealingWriter(object: "lms/db", keys: keys, chunkSizeLog2: 16) { _ in
            sealedChunks += 1
            if sealedChunks > failAfter + 1 { throw StoreFailed() }  // the header, then `failAfter` chunks
        }
        #expect(throws: StoreFailed.self) {
            _ = try StreamPacking.pack(from: ByteArraySource(noise, pieceSize: 100_000).read(into:),
                                       compression: Compression(.zstd, level: 3), into: failingSealer)
        }
    }

    /// A file compressed as 1 MiB frames, the workers taking them in turn,
    /// reads back as the same bytes (zstd decodes concatenated frames as one
    /// stream), whatever the number of workers; a file shorter than announced,
    /// or one that cannot be read to the end, is refused rather than stored
    /// with a hole, and no worker is left waiting for its turn.
    @Test(arguments: [(1, 5_000_000), (2, 5_000_000), (3, 16 << 20), (4, 3_000_000), (2, 1_000)])
    func rangesCompressedInParallelReadBackAsOneStream(_ workers: Int, _ size: Int) throws {
        let keys = try FixedKeys.make()
        let data = SealedStreamTests.sample(size)
        var sealed: [UInt8] = []
        let sealer = try SealingWriter(object: "lms/wal", keys: keys) { sealed += Array($0) }
        let read: @Sendable (Int64, UnsafeMutableRawBufferPointer) throws -> Int = { offset, buffer in
            let n = max(0, min(buffer.count, data.count - Int(offset)))
            data.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[Int(offset)..<Int(offset) + n])) }
            return n
        }
        let total = try StreamPacking.compressRanges(size: Int64(size), workers: workers, compression: Compression(.zstd, level: 3),
                                                     read: read, into: sealer)
        try sealer.finish()
        #expect(total == Int64(size))
        let reader = try UnsealingReader(object: "lms/wal", keys: keys, source: ByteArraySource(sealed).read(into:))
        var out: [UInt8] = []
        _ = try StreamPacking.unpack(from: reader, to: { out += Array($0) })
        #expect(out == data)

        let short = try SealingWriter(object: "lms/wal", keys: keys) { _ in }
        #expect(throws: FileShrankError.self) {
            _ = try StreamPacking.compressRanges(size: Int64(size) + 1, workers: workers, compression: Compression(.zstd, level: 3),
                                                 read: read, into: short)
        }
        struct ReadFailed: Error {}
        let failing: @Sendable (Int64, UnsafeMutableRawBufferPointer) throws -> Int = { offset, buffer in
            guard offset < Int64(size) / 2 else { throw ReadFailed() }
            return try read(offset, buffer)
        }
        let broken = try SealingWriter(object: "lms/wal", keys: keys) { _ in }
        #expect(throws: ReadFailed.self) {
            _ = try StreamPacking.compressRanges(size: Int64(size), workers: workers, compression: Compression(.zstd, level: 3),
                                                 read: failing, into: broken)
        }
    }
}
