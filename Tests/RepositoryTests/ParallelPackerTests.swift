import Archive
import Foundation
import LifeboatTestSupport
import Pipeline
import Seal
import Testing

/// The physical backup's packer: a stream cut into blocks, compressed on
/// several workers into sealed parts, reads back block by block as the same
/// stream — for zstd, which writes straight into the sealing chunks, and for
/// the algorithms that go through libarchive.
@Suite struct ParallelPackerTests {
    /// Sealed objects by name, as the packer's store puts them.
    final class Objects: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String: [UInt8]] = [:]
        func put(_ name: String, _ bytes: [UInt8]) { lock.withLock { stored[name] = bytes } }
        func get(_ name: String) -> [UInt8]? { lock.withLock { stored[name] } }
    }

    /// Half text-like, half random bytes (which zstd cannot shrink, so its
    /// output outgrows the sealing chunks many times over).
    static func mixed(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { i in (i / 10_000) % 2 == 0 ? UInt8(truncatingIfNeeded: i % 251 &* 7) : generator.next() }
    }

    @Test(arguments: [(Compression.Algorithm.zstd, 0), (.zstd, 1), (.zstd, 700_001), (.zstd, 3_000_000), (.gzip, 700_001), (.none, 300_000)])
    func partsReadBackAsTheStream(_ algorithm: Compression.Algorithm, _ size: Int) throws {
        let keys = try FixedKeys.make()
        let objects = Objects()
        // 4 KiB sealing chunks: every few hundred bytes of compressed output cross a chunk.
        let packer = ParallelPacker(
            workers: 2, blockSize: 64 << 10, partLimit: 1 << 20, compression: Compression(algorithm, level: 3),
            partName: { "data-\($0)" },
            store: { name, body in
                var sealed: [UInt8] = []
                let sealer = try SealingWriter(object: name, keys: keys, chunkSizeLog2: 12) { sealed += Array($0) }
                try body(sealer)
                try sealer.finish()
                objects.put(name, sealed)
                return Int64(sealed.count)
            })
        let data = Self.mixed(size)
        var offset = 0
        for piece in [1, 4093, 65_536, 100_000].cycled(until: size) {
            let n = min(piece, size - offset)
            try data[offset..<offset + n].withUnsafeBytes { try packer.append($0) }
            offset += n
        }
        let parts = try packer.finish()
        #expect(parts.reduce(0) { $0 + $1.plaintextBytes } == Int64(size))
        if size > 2 << 20 { #expect(parts.count > 2, "parts close after their limit") }

        let blockSize = 64 << 10
        var restored = [UInt8](repeating: 0, count: size)
        var blocksSeen = Set<Int>()
        for part in parts {
            let sealed = try #require(objects.get(part.name))
            #expect(part.storedBytes == Int64(sealed.count))
            let reader = try UnsealingReader(object: part.name, keys: keys, source: ByteArraySource(sealed, pieceSize: 5000).read(into:))
            let blocks = Array(part.blocks)
            let lengths = blocks.map { min(blockSize, size - $0 * blockSize) }
            try StreamPacking.unpackBlocks(from: reader, blockLengths: lengths, compression: algorithm) { position, at, bytes in
                let start = blocks[position] * blockSize + at
                restored.withUnsafeMutableBytes { UnsafeMutableRawBufferPointer(rebasing: $0[start..<start + bytes.count]).copyMemory(from: bytes) }
            }
            blocksSeen.formUnion(part.blocks)
        }
        #expect(blocksSeen == Set(0..<(size + blockSize - 1) / blockSize))
        #expect(restored == data)
    }
}

extension Array {
    /// The elements repeated until they add up to at least `total`.
    func cycled(until total: Int) -> [Int] where Element == Int {
        var out: [Int] = []
        var sum = 0
        while sum < total, !isEmpty {
            let next = self[out.count % count]
            out.append(next)
            sum += next
        }
        return out
    }
}
