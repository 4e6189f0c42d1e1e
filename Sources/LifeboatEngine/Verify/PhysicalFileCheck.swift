import Archive
import Foundation
import Pipeline
import Repository
import Seal

/// Recomputes the SHA-256 of every file of a physical backup from its data
/// parts, reading the blocks in stream order. Each worker wrote its blocks in
/// increasing order, so walking blocks 0, 1, 2, … needs only the parts that
/// are current at that point open at once (about one per backup worker), and
/// one block in memory.
struct PhysicalFileCheck {
    let repository: SealedRepository
    let layout: ClusterLayout

    /// The paths whose content does not match, or a thrown error when a part cannot be read.
    func mismatches(in backup: BackupManifest, files physical: PhysicalLayout, progress: (Int64) -> Void) throws -> [String] {
        let blockSize = Int64(physical.blockSize)
        var readers: [Int: ArchiveReader] = [:]
        var remaining = physical.parts.map(\.blocks.count)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: physical.blockSize, alignment: 64)
        defer { buffer.deallocate() }
        var files = physical.regularFiles()
        var current = try files.next()
        var hasher = try SHA256Hasher()
        var bad: [String] = []
        /// Checks the current file (all its bytes were hashed) and moves to the next.
        func finishFile() throws {
            guard let (_, file) = current else { return }
            if try hasher.finish().hexString != file.sha256 { bad.append(file.path) }
            hasher = try SHA256Hasher()
            current = try files.next()
        }
        func finishEmptyFiles() throws {
            while let (_, file) = current, file.size == 0 { try finishFile() }
        }
        // Files of size 0 before the first byte.
        try finishEmptyFiles()
        for block in 0..<physical.blockCount {
            // Validated: exactly one part holds each block.
            guard let part = physical.parts.firstIndex(where: { $0.blocks.contains(block) }) else { throw BlockUnpackingError.shorterThanListed }
            if readers[part] == nil {
                let sealed = try repository.openSealed(layout.object(backup.id, physical.parts[part].name))
                let reader = try ArchiveReader(format: .raw, compression: Compression.Algorithm(rawValue: backup.compression.algorithm)) {
                    try sealed.read(into: $0)
                }
                guard try reader.nextEntry() != nil else { throw BlockUnpackingError.shorterThanListed }
                readers[part] = reader
            }
            guard let reader = readers[part] else { continue }
            let length = physical.blockLength(block)
            var filled = 0
            while filled < length {
                let n = try reader.readData(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<length]))
                guard n > 0 else { throw BlockUnpackingError.shorterThanListed }
                filled += n
            }
            var position = Int64(block) * blockSize
            var consumed = 0
            while consumed < length, let (_, file) = current {
                let end = (file.offset ?? 0) + (file.size ?? 0)
                let n = Int(min(Int64(length - consumed), end - position))
                try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[consumed..<(consumed + n)]))
                consumed += n
                position += Int64(n)
                if position == end {
                    try finishFile()
                    try finishEmptyFiles()
                }
            }
            remaining[part] -= 1
            if remaining[part] == 0 { readers[part] = nil }
            progress(position)
        }
        return bad
    }
}
