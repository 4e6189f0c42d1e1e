import LifeboatTestSupport
import Pipeline
import Seal
import Testing

/// A fixed set of generation keys, for sealing without a repository.
struct FixedKeys: ObjectKeyProvider {
    let masters: [UInt32: SecretKey]
    let currentGeneration: UInt32

    static func make(_ generations: [UInt32] = [1], current: UInt32 = 1) throws -> FixedKeys {
        FixedKeys(masters: Dictionary(uniqueKeysWithValues: try generations.map { ($0, try SecretKey.random(count: 32)) }), currentGeneration: current)
    }

    func objectKey(generation: UInt32, salt: [UInt8], object: String) throws -> SecretKey {
        guard let master = masters[generation] else { throw SealedObjectError.unknownGeneration(object: object, generation: generation) }
        return try ObjectKeyDerivation.derive(master: master, salt: salt, object: object)
    }
}

/// The chunked STREAM format: round trips at every boundary, and every kind of
/// tampering fails authentication.
@Suite struct SealedStreamTests {
    static let log2: UInt8 = 12
    static let chunk = 1 << 12

    static func seal(_ plaintext: [UInt8], object: String = "lms/obj", keys: ObjectKeyProvider, log2: UInt8 = log2, writeSize: Int = 1000) throws -> [UInt8] {
        var out: [UInt8] = []
        let writer = try SealingWriter(object: object, keys: keys, chunkSizeLog2: log2) { out += $0 }
        var offset = 0
        while offset < plaintext.count {
            let n = min(writeSize, plaintext.count - offset)
            try writer.write(Array(plaintext[offset..<offset + n]))
            offset += n
        }
        try writer.finish()
        #expect(writer.sealedCount == Int64(out.count))
        return out
    }

    static func open(_ sealed: [UInt8], object: String = "lms/obj", keys: ObjectKeyProvider, readSize: Int = 777) throws -> [UInt8] {
        let source = ByteArraySource(sealed, pieceSize: readSize)
        return try UnsealingReader(object: object, keys: keys, source: source.read(into:)).readAll()
    }

    static func sample(_ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) } }

    @Test(arguments: [0, 1, chunk - 1, chunk, chunk + 1, 5 * chunk, 7 * chunk + 123])
    func roundTrip(_ size: Int) throws {
        let keys = try FixedKeys.make()
        let plaintext = Self.sample(size)
        let sealed = try Self.seal(plaintext, keys: keys)
        let chunks = max(1, (size + Self.chunk - 1) / Self.chunk)
        #expect(sealed.count == SealedHeader.length + size + chunks * 16)
        #expect(try Self.open(sealed, keys: keys) == plaintext)
    }

    @Test func roundTripAtTheDefaultOneMiBChunk() throws {
        let keys = try FixedKeys.make()
        let plaintext = Self.sample(3 * (1 << 20) + 5)
        let sealed = try Self.seal(plaintext, keys: keys, log2: 20, writeSize: 100_000)
        #expect(try Self.open(sealed, keys: keys, readSize: 1 << 20) == plaintext)
    }

    /// Byte ranges of the chunks of a sealed object.
    static func chunkRanges(_ sealed: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = SealedHeader.length
        while start < sealed.count {
            let end = min(start + chunk + 16, sealed.count)
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    func expectRejected(_ sealed: [UInt8], object: String = "lms/obj", keys: ObjectKeyProvider, _ comment: Comment) {
        #expect(throws: SealedObjectError.self, comment) { _ = try Self.open(sealed, object: object, keys: keys) }
    }

    @Test func tamperingFailsAuthentication() throws {
        let keys = try FixedKeys.make()
        let sealed = try Self.seal(Self.sample(3 * Self.chunk + 100), keys: keys)
        let r = Self.chunkRanges(sealed)
        #expect(r.count == 4)

        expectRejected(Array(sealed.dropLast()), keys: keys, "truncated inside the last chunk")
        expectRejected(Array(sealed[..<r[3].lowerBound]), keys: keys, "truncated at a chunk boundary: last chunk removed")
        expectRejected(Array(sealed[..<r[0].lowerBound]), keys: keys, "only the header")
        expectRejected(Array(sealed[..<20]), keys: keys, "truncated header")
        expectRejected(sealed + [0], keys: keys, "trailing byte")
        expectRejected(Array(sealed[..<r[1].lowerBound] + sealed[r[2]] + sealed[r[1]] + sealed[r[3]]), keys: keys, "chunks 1 and 2 swapped")
        expectRejected(Array(sealed[..<r[2].lowerBound] + sealed[r[1]] + sealed[r[2]] + sealed[r[3]]), keys: keys, "chunk 1 duplicated")
        expectRejected(Array(sealed[..<r[1].lowerBound] + sealed[r[2]] + sealed[r[3]]), keys: keys, "chunk 1 removed")
        for index in [0, 8, 10, 12, 15, 16, 47, 48, 54, r[0].lowerBound, r[2].lowerBound + 5, sealed.count - 1] {
            var flipped = sealed
            flipped[index] ^= 0x01
            expectRejected(flipped, keys: keys, "byte \(index) flipped")
        }
    }

    @Test func swappedObjectsFailAuthentication() throws {
        let keys = try FixedKeys.make()
        let a = try Self.seal(Self.sample(100), object: "lms/a", keys: keys)
        expectRejected(a, object: "lms/b", keys: keys, "object a's bytes stored under b's name")
    }

    @Test func wrongKeyGenerationFailsAuthentication() throws {
        let keys = try FixedKeys.make([1, 2], current: 2)
        var sealed = try Self.seal(Self.sample(100), keys: keys)
        #expect(try SealedHeader(parsing: Array(sealed[0..<55]), object: "x").generation == 2)
        sealed[15] = 1 // claim generation 1, which exists
        #expect(throws: SealedObjectError.authenticationFailed(object: "lms/obj", chunk: 0)) { _ = try Self.open(sealed, keys: keys) }
        sealed[15] = 9 // a generation that does not exist
        #expect(throws: SealedObjectError.unknownGeneration(object: "lms/obj", generation: 9)) { _ = try Self.open(sealed, keys: keys) }
        let otherKeys = try FixedKeys.make([2], current: 2)
        sealed[15] = 2
        expectRejected(sealed, keys: otherKeys, "same generation number, another repository's key")
    }

    @Test func nothingIsReleasedFromAChunkThatFailsAuthentication() throws {
        let keys = try FixedKeys.make()
        var sealed = try Self.seal(Self.sample(Self.chunk * 2), keys: keys)
        sealed[sealed.count - 1] ^= 1
        let reader = try UnsealingReader(object: "lms/obj", keys: keys, source: ByteArraySource(sealed).read(into:))
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 100)
        #expect(throws: SealedObjectError.self) {
            while true {
                let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                if n == 0 { break }
                received += n
            }
        }
        #expect(received == Self.chunk, "the first, intact chunk only")
    }
}
