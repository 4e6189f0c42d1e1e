import Archive
import Foundation

extension StreamPacking {
    /// Reads one part written by `ParallelPacker`: authenticates and
    /// decompresses it and hands each block to `body` (its position in the
    /// part, and exactly `blockLengths[position]` bytes, in `buffer`).
    /// Throws `SealedObjectError`/`ArchiveError` on damage, and
    /// `ArchiveError.truncated`-like errors when the part ends early or has bytes left over.
    public static func unpackBlocks(
        from reader: UnsealingReader,
        blockLengths: [Int],
        compression: Compression.Algorithm,
        buffer: UnsafeMutableRawBufferPointer,
        body: (Int, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let archive = try ArchiveReader(format: .raw, compression: compression) { try reader.read(into: $0) }
        guard try archive.nextEntry() != nil else { throw BlockUnpackingError.shorterThanListed }
        for (position, length) in blockLengths.enumerated() {
            guard length >= 0, length <= buffer.count else { throw BlockUnpackingError.longerThanListed }
            var filled = 0
            while filled < length {
                let n = try archive.readData(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<length]))
                guard n > 0 else { throw BlockUnpackingError.shorterThanListed }
                filled += n
            }
            try body(position, UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        }
        var extra = [UInt8](repeating: 0, count: 1)
        let more = try extra.withUnsafeMutableBytes { try archive.readData(into: $0) }
        guard more == 0 else { throw BlockUnpackingError.longerThanListed }
    }
}

/// A data part whose length does not match its block list.
public enum BlockUnpackingError: Error, Equatable, LocalizedError {
    case shorterThanListed, longerThanListed

    public var errorDescription: String? {
        switch self {
        case .shorterThanListed: return "the data part ends before its last listed block"
        case .longerThanListed: return "the data part holds more than its listed blocks"
        }
    }
}
