import Archive
import Foundation

extension StreamPacking {
    /// Reads one part written by `ParallelPacker`: authenticates and
    /// decompresses it and hands its bytes to `body` as they come out of the
    /// decompressor (no copy): the block they belong to (its position in the
    /// part), their offset in it, and the bytes, in order: for each block
    /// exactly the length `blockLengths` gives for it. Throws
    /// `SealedObjectError`/`ArchiveError` on damage, and `BlockUnpackingError`
    /// when the part ends early or has bytes left over.
    public static func unpackBlocks(
        from reader: UnsealingReader,
        blockLengths: some Sequence<Int>,
        compression: Compression.Algorithm,
        body: (_ position: Int, _ offset: Int, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var lengths = blockLengths.makeIterator()
        // The block at `position` and its length; nil past the last one.
        var length = lengths.next()
        guard let archive = try openPlaintext(of: reader, compression: compression) else {
            while let next = length {
                guard next == 0 else { throw BlockUnpackingError.shorterThanListed }
                length = lengths.next()
            }
            return
        }
        var position = 0
        var offset = 0
        func skipFinished() {
            while let current = length, offset == current {
                position += 1
                offset = 0
                length = lengths.next()
            }
        }
        while true {
            let piece = try archive.readBlock()
            if piece.isEmpty { break }
            var used = 0
            while used < piece.count {
                skipFinished()
                guard let current = length, current >= 0 else { throw BlockUnpackingError.longerThanListed }
                let n = min(piece.count - used, current - offset)
                try body(position, offset, UnsafeRawBufferPointer(rebasing: piece[used..<used + n]))
                used += n
                offset += n
            }
        }
        skipFinished()
        guard length == nil else { throw BlockUnpackingError.shorterThanListed }
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
