import Archive
import LifeboatTestSupport
@testable import Pipeline
import Seal
import Testing

/// The policy's `compression.threads` reaches libzstd when a dump is
/// compressed (the physical backup's packer has workers of its own and asks
/// for none), and a stream compressed on several threads reads back whole.
@Suite struct SealedCompressorTests {
    @Test(arguments: [(0, 0), (1, 0), (2, 2), (4, 4)])
    func zstdThreadsAreLibzstdWorkers(threads: Int, workers: Int) throws {
        let sealer = try SealingWriter(object: "lms/db", keys: try FixedKeys.make()) { _ in }
        guard case let .zstd(compressor, _) = try SealedCompressor(Compression(.zstd, level: 3, threads: threads), sealer: sealer) else {
            Issue.record("zstd is not compressed by libzstd directly")
            return
        }
        #expect(compressor.workers == workers)
    }

    @Test func aDumpCompressedOnTwoThreadsReadsBack() throws {
        let keys = try FixedKeys.make()
        let data = SealedStreamTests.sample(9_000_001)
        var sealed: [UInt8] = []
        let sealer = try SealingWriter(object: "lms/db", keys: keys) { sealed += Array($0) }
        let packed = try StreamPacking.pack(from: ByteArraySource(data, pieceSize: 300_000).read(into:),
                                            compression: Compression(.zstd, level: 3, threads: 2), into: sealer)
        try sealer.finish()
        let reader = try UnsealingReader(object: "lms/db", keys: keys, source: ByteArraySource(sealed).read(into:))
        var out: [UInt8] = []
        let unpacked = try StreamPacking.unpack(from: reader, to: { out += Array($0) })
        #expect(unpacked == packed)
        #expect(out == data)
    }
}
