import Archive
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
        var offset = 0
        let packed = try StreamPacking.pack(from: { buffer in
            let n = min(buffer.count, data.count - offset, 100_000)
            data.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
            offset += n
            return n
        }, compression: Compression(.zstd, level: 3), into: sealer)
        try sealer.finish()
        #expect(packed.plaintextBytes == Int64(size))
        #expect(packed.sha256 == (try SHA256Hasher.digest(data)).hexString)

        var readOffset = 0
        let reader = try UnsealingReader(object: "lms/db", keys: keys) { buffer in
            let n = min(buffer.count, sealed.count - readOffset)
            sealed.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[readOffset..<readOffset + n])) }
            readOffset += n
            return n
        }
        var out: [UInt8] = []
        let unpacked = try StreamPacking.unpack(from: reader, to: { out += Array($0) })
        #expect(unpacked == packed)
        #expect(out == data)
    }
}
