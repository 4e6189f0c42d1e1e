import Seal

/// Reads a sealed object back into plaintext, authenticating every chunk before
/// releasing a byte of it. Truncation (at or between chunk boundaries), chunk
/// reordering, duplication or removal, header edits, a moved object and a wrong
/// key all throw `SealedObjectError`.
public final class UnsealingReader {
    /// Fills the buffer with the next sealed bytes and returns how many; 0 at the end.
    public typealias Source = (UnsafeMutableRawBufferPointer) throws -> Int

    public let object: String
    public let header: SealedHeader
    private let headerBytes: [UInt8]
    private let cipher: AES256GCM
    private let source: Source
    /// Sealed input: one chunk and its tag, plus one byte of look-ahead that
    /// tells whether this chunk is the last. Opened in place: once a chunk
    /// authenticates, `input[plainStart..<plainEnd]` is its plaintext.
    private let input: UnsafeMutableRawBufferPointer
    private var inputCount = 0
    /// The byte after the last chunk opened: the first of the next chunk.
    private var lookAhead: UInt8?
    private var plainStart = 0
    private var plainEnd = 0
    private var chunkIndex: UInt32 = 0
    private var sawLast = false

    /// Reads and checks the header of `object` from `source`, and derives its key.
    public init(object: String, keys: ObjectKeyProvider, source: @escaping Source) throws {
        self.object = object
        self.source = source
        var headerBytes = [UInt8](repeating: 0, count: SealedHeader.length)
        let got = try headerBytes.withUnsafeMutableBytes { try Self.fill($0, from: source) }
        guard got == SealedHeader.length else { throw SealedObjectError.notSealed(object: object) }
        header = try SealedHeader(parsing: headerBytes, object: object)
        self.headerBytes = headerBytes
        cipher = try AES256GCM(key: try keys.objectKey(generation: header.generation, salt: header.salt, object: object), direction: .open)
        input = .allocate(byteCount: header.chunkSize + AES256GCM.tagLength + 1, alignment: 64)
    }

    deinit {
        input.deallocate()
    }

    /// Reads from `source` until `buffer` is full or the source ends.
    private static func fill(_ buffer: UnsafeMutableRawBufferPointer, from source: Source) throws -> Int {
        var total = 0
        while total < buffer.count {
            let n = try source(UnsafeMutableRawBufferPointer(rebasing: buffer[total...]))
            if n == 0 { break }
            total += n
        }
        return total
    }

    /// Authenticated plaintext into `buffer`; 0 at the end of the object.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let unread = try unreadPlaintext()
        let n = min(buffer.count, unread.count)
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: input[unread.lowerBound..<unread.lowerBound + n]))
        plainStart += n
        return n
    }

    /// The rest of the current chunk's authenticated plaintext where it lies
    /// (no copy), opening the next chunk first when this one is used up;
    /// valid until the next read. Empty at the end of the object.
    public func lendPlaintext() throws -> UnsafeRawBufferPointer {
        let unread = try unreadPlaintext()
        plainStart = plainEnd
        return UnsafeRawBufferPointer(rebasing: input[unread])
    }

    /// Where the plaintext not yet read lies in `input`, the next chunk opened
    /// when the current one is used up; empty at the end of the object.
    private func unreadPlaintext() throws -> Range<Int> {
        if plainStart == plainEnd, !sawLast { try openNextChunk() }
        return plainStart..<plainEnd
    }

    /// Reads the whole remaining plaintext (for small objects: manifests, keyrings).
    public func readAll(limit: Int = 256 << 20) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return out }
            guard out.count + n <= limit else { throw SealedObjectError.truncated(object: object) }
            out += chunk[0..<n]
        }
    }

    private func openNextChunk() throws {
        let full = header.chunkSize + AES256GCM.tagLength
        if let byte = lookAhead {
            input[0] = byte
            inputCount = 1
            lookAhead = nil
        }
        inputCount += try Self.fill(UnsafeMutableRawBufferPointer(rebasing: input[inputCount...]), from: source)
        // A full chunk followed by at least one more byte is not the last one.
        let last = inputCount <= full
        let sealedCount = last ? inputCount : full
        guard sealedCount >= AES256GCM.tagLength else { throw SealedObjectError.truncated(object: object) }
        let length = sealedCount - AES256GCM.tagLength
        let nonce = header.nonce(chunk: chunkIndex, last: last)
        do {
            try nonce.withUnsafeBytes { n in
                try headerBytes.withUnsafeBytes { aad in
                    try cipher.open(nonce: n, aad: aad,
                                    ciphertext: UnsafeRawBufferPointer(rebasing: input[0..<length]),
                                    tag: UnsafeRawBufferPointer(rebasing: input[length..<sealedCount]),
                                    plaintext: UnsafeMutableRawBufferPointer(rebasing: input[0..<length]))
                }
            }
        } catch SealError.authenticationFailed {
            throw SealedObjectError.authenticationFailed(object: object, chunk: chunkIndex)
        }
        plainStart = 0
        plainEnd = length
        if last {
            sawLast = true
            inputCount = 0
        } else {
            // The look-ahead byte starts the next chunk, once this one's
            // plaintext (where that chunk will go) has been read.
            lookAhead = input[full]
            inputCount = 0
            chunkIndex += 1
        }
    }
}
