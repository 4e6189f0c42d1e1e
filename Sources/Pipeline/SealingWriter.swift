import Seal

/// Seals a plaintext stream into the chunked AES-256-GCM STREAM format and hands
/// the sealed bytes to a sink: the header first, then each chunk as ciphertext
/// followed by its 16-byte tag.
///
/// Every chunk but the last holds exactly `chunkSize` plaintext bytes; the last
/// holds the rest (0 bytes only for an empty object) and is sealed with the
/// last-chunk flag in its nonce. Memory: one chunk buffer, sealed in place.
public final class SealingWriter {
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    private let cipher: AES256GCM
    private let header: SealedHeader
    private let headerBytes: [UInt8]
    private let sink: Sink
    /// The chunk being filled, with room for its tag; sealed in place.
    private let chunk: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var chunkIndex: UInt32 = 0
    private var finished = false

    /// Starts a sealed object named `object` under `keys`' current generation.
    public convenience init(object: String, keys: ObjectKeyProvider, chunkSizeLog2: UInt8 = 20, sink: @escaping Sink) throws {
        let header = try SealedHeader.random(generation: keys.currentGeneration, chunkSizeLog2: chunkSizeLog2)
        let key = try keys.objectKey(generation: header.generation, salt: header.salt, object: object)
        try self.init(header: header, objectKey: key, sink: sink)
    }

    /// Starts a sealed object with an explicit header and object key.
    public init(header: SealedHeader, objectKey: SecretKey, sink: @escaping Sink) throws {
        self.header = header
        headerBytes = header.bytes
        cipher = try AES256GCM(key: objectKey, direction: .seal)
        self.sink = sink
        chunk = .allocate(byteCount: header.chunkSize + AES256GCM.tagLength, alignment: 64)
        try headerBytes.withUnsafeBytes { try sink($0) }
    }

    deinit {
        chunk.deallocate()
    }

    /// Plaintext bytes written so far.
    public private(set) var plaintextCount: Int64 = 0
    /// Sealed bytes handed to the sink so far (header included).
    public private(set) var sealedCount: Int64 = Int64(SealedHeader.length)

    /// Adds plaintext.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while rest.count > 0 {
            try fill { free in
                let n = min(rest.count, free.count)
                free.copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[0..<n]))
                rest = UnsafeRawBufferPointer(rebasing: rest[n...])
                return n
            }
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Lends the free end of the chunk being filled to `body`, which writes
    /// plaintext there and returns how many bytes it wrote: a compressor can
    /// put its output straight into the chunk instead of a buffer of its own.
    /// A full chunk is sealed first (more plaintext follows it), so at least
    /// one byte is always free.
    public func fill(_ body: (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        precondition(!finished, "write after finish")
        if filled == header.chunkSize { try sealChunk(last: false) }
        let free = header.chunkSize - filled
        let n = try body(UnsafeMutableRawBufferPointer(rebasing: chunk[filled..<header.chunkSize]))
        precondition(n >= 0 && n <= free, "fill wrote outside the space it was lent")
        filled += n
        plaintextCount += Int64(n)
    }

    /// Seals what is buffered as the last chunk. Without this the object is
    /// incomplete and will not authenticate.
    public func finish() throws {
        guard !finished else { return }
        try sealChunk(last: true)
        finished = true
    }

    private func sealChunk(last: Bool) throws {
        let nonce = header.nonce(chunk: chunkIndex, last: last)
        try nonce.withUnsafeBytes { n in
            try headerBytes.withUnsafeBytes { aad in
                try cipher.seal(nonce: n, aad: aad,
                                plaintext: UnsafeRawBufferPointer(rebasing: chunk[0..<filled]),
                                ciphertext: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<filled]),
                                tag: UnsafeMutableRawBufferPointer(rebasing: chunk[filled..<filled + AES256GCM.tagLength]))
            }
        }
        let outCount = filled + AES256GCM.tagLength
        try sink(UnsafeRawBufferPointer(rebasing: chunk[0..<outCount]))
        sealedCount += Int64(outCount)
        filled = 0
        guard chunkIndex < UInt32.max else { throw SealedObjectError.truncated(object: "object too large for one sealed stream") }
        chunkIndex += 1
    }
}
