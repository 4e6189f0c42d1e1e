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
