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
}
