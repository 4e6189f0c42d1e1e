import Archive
import Seal

/// The data path of a streamed backup object, in one pass: plaintext from a
/// source → SHA-256 and byte count → compression (libarchive) → sealing →
/// the sealed writer's sink. And back: sealed object → authentication →
/// decompression → SHA-256 and count → a consumer. Memory is bounded by a few
/// chunk buffers whatever the size.
public enum StreamPacking {
    /// What passed through: plaintext size and SHA-256 (lower-case hex).
    public struct Summary: Sendable, Equatable {
        public var plaintextBytes: Int64
        public var sha256: String

        public init(plaintextBytes: Int64, sha256: String) {
            self.plaintextBytes = plaintextBytes
            self.sha256 = sha256
        }
    }

    /// Reads `source` to its end (it returns 0), compresses and seals it, and
    /// returns the plaintext's size and SHA-256. `progress` receives the
    /// plaintext byte count so far.
    public static func pack(
        from source: (UnsafeMutableRawBufferPointer) throws -> Int,
        compression: Compression,
        into sealer: SealingWriter,
        progress: (Int64) -> Void = { _ in }
    ) throws -> Summary {
        let hasher = try SHA256Hasher()
        let total = try compress(from: { buffer in
            let n = try source(buffer)
            try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            return n
        }, compression: compression, into: sealer, progress: progress)
        return Summary(plaintextBytes: total, sha256: try hasher.finish().hexString)
    }

    /// `pack` of bytes already in memory (a small document).
    public static func pack(_ bytes: [UInt8], compression: Compression, into sealer: SealingWriter) throws -> Summary {
        var remaining = bytes[...]
        return try pack(from: { buffer in
            let n = min(buffer.count, remaining.count)
            buffer.copyBytes(from: remaining.prefix(n))
            remaining = remaining.dropFirst(n)
            return n
        }, compression: compression, into: sealer)
    }

    /// `pack` without the SHA-256; returns the plaintext size. `source` runs
    /// on the caller's thread while the bytes it read last are compressed and
    /// sealed on another (`CompressingThread`); `progress` runs on the caller's.
    public static func compress(
        from source: (UnsafeMutableRawBufferPointer) throws -> Int,
        compression: Compression,
        into sealer: SealingWriter,
        progress: (Int64) -> Void = { _ in }
    ) throws -> Int64 {
        let compressor = CompressingThread(compression: compression, sealer: sealer)
        var total: Int64 = 0
        while let buffer = compressor.nextBuffer() {
            let n: Int
            do {
                n = try source(buffer)
            } catch {
                try? compressor.finish(abandon: true)
                throw error
            }
            if n == 0 { break }
            compressor.compress(buffer, count: n)
            total += Int64(n)
            progress(total)
        }
        try compressor.finish()
        return total
    }

    /// Unseals, decompresses and hands the plaintext of a packed stream to
    /// `consumer`, returning its size and SHA-256. `compression` is the
    /// algorithm it was packed with, when known (see `ArchiveReader`).
    public static func unpack(
        from reader: UnsealingReader,
        compression: Compression.Algorithm? = nil,
        to consumer: (UnsafeRawBufferPointer) throws -> Void,
        progress: (Int64) -> Void = { _ in }
    ) throws -> Summary {
        let hasher = try SHA256Hasher()
        var total: Int64 = 0
        if let archive = try openPlaintext(of: reader, compression: compression) {
            while true {
                // Straight from the decompressor's buffer.
                let bytes = try archive.readBlock()
                if bytes.isEmpty { break }
                try hasher.update(bytes)
                try consumer(bytes)
                total += Int64(bytes.count)
                progress(total)
            }
        }
        return Summary(plaintextBytes: total, sha256: try hasher.finish().hexString)
    }

    /// The plaintext of a packed stream as a reader positioned at its data,
    /// to decompress straight into the caller's own buffers; nil for an empty
    /// stream (see `pack`).
    public static func openPlaintext(of reader: UnsealingReader, compression: Compression.Algorithm? = nil) throws -> ArchiveReader? {
        // An empty stream is stored as nothing at all: look at the first
        // piece before handing the stream to libarchive, which reads the
        // plaintext where the reader decrypted it.
        var first: UnsafeRawBufferPointer? = try reader.lendPlaintext()
        guard first?.isEmpty == false else { return nil }
        let archive = try ArchiveReader(format: .raw, compression: compression) {
            if let piece = first {
                first = nil
                return piece
            }
            return try reader.lendPlaintext()
        }
        return try archive.nextEntry() == nil ? nil : archive
    }

    /// A whole (small) packed object in memory, with its size and SHA-256.
    public static func unpackAll(from reader: UnsealingReader, compression: Compression.Algorithm? = nil) throws -> ([UInt8], Summary) {
        var bytes: [UInt8] = []
        let summary = try unpack(from: reader, compression: compression, to: { bytes += $0 })
        return (bytes, summary)
    }
}
