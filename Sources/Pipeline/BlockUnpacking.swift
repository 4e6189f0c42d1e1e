import Archive
import Foundation

extension StreamPacking {
    /// Reads one part written by `ParallelPacker`: authenticates and
    /// decompresses it and hands its bytes to `body` as they come out of the
    /// decompressor (no copy): the block they belong to (its position in the
    /// part), their offset in it, and the bytes, in order, exactly
    /// `blockLengths[position]` bytes for each block. Throws
    /// `SealedObjectError`/`ArchiveError` on damage, and `BlockUnpackingError`
    /// when the part ends early or has bytes left over.
    public static func unpackBlocks(
        from reader: UnsealingReader,
        blockLengths: [Int],
        compression: Compression.Algorithm,
        body: (_ position: Int, _ offset: Int, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let archive = try openPlaintext(of: reader, compression: compression) else {
            guard blockLengths.allSatisfy({ $0 == 0 }) else { throw BlockUnpackingError.shorterThanListed }
            return
        }
        var position = 0
        var offset = 0
        while true {
            let piece = try archive.readBlock()
            if piece.isEmpty { break }
            var used = 0
            while used < piece.count {
                while position < blockLengths.count, offset == blockLengths[position] {
                    position += 1
                    offset = 0
                }
                guard position < blockLengths.count, blockLengths[position] >= 0 else { throw BlockUnpackingError.longerThanListed }
                let n = min(piece.count - used, blockLengths[position] - offset)
                try body(position, offset, UnsafeRawBufferPointer(rebasing: piece[used..<used + n]))
                used += n
                offset += n
            }
        }
        while position < blockLengths.count, offset == blockLengths[position] {
            position += 1
            offset = 0
        }
        guard position == blockLengths.count else { throw BlockUnpackingError.shorterThanListed }
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
