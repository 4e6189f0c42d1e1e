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
        let files = physical.regularFiles
        let blockSize = Int64(physical.blockSize)
        let owner = try physical.blockOwners()
        let lengths = physical.blockLengths(Array(owner.indices))
        var readers: [Int: ArchiveReader] = [:]
        var remaining = physical.parts.map(\.blocks.count)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: physical.blockSize, alignment: 64)
        defer { buffer.deallocate() }
        var fileIndex = 0
        var hasher = try SHA256Hasher()
        var bad: [String] = []
        func finishFile() throws {
            if try hasher.finish().hexString != files[fileIndex].sha256 { bad.append(files[fileIndex].path) }
            hasher = try SHA256Hasher()
            fileIndex += 1
        }
        // Files of size 0 before the first byte.
        while fileIndex < files.count, files[fileIndex].size == 0 { try finishFile() }
        for block in owner.indices {
            let part = owner[block]
            if readers[part] == nil {
                let sealed = try repository.openSealed(layout.object(backup.id, physical.parts[part].name))
                let reader = try ArchiveReader(format: .raw, compression: Compression.Algorithm(rawValue: backup.compression.algorithm)) {
                    try sealed.read(into: $0)
                }
                guard try reader.nextEntry() != nil else { throw BlockUnpackingError.shorterThanListed }
                readers[part] = reader
            }
            guard let reader = readers[part] else { continue }
            let length = lengths[block]
            var filled = 0
            while filled < length {
                let n = try reader.readData(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<length]))
                guard n > 0 else { throw BlockUnpackingError.shorterThanListed }
                filled += n
            }
            var position = Int64(block) * blockSize
            var consumed = 0
            while consumed < length, fileIndex < files.count {
                let end = (files[fileIndex].offset ?? 0) + (files[fileIndex].size ?? 0)
                let n = Int(min(Int64(length - consumed), end - position))
                try hasher.update(UnsafeRawBufferPointer(rebasing: buffer[consumed..<(consumed + n)]))
                consumed += n
                position += Int64(n)
                if position == end {
                    try finishFile()
                    while fileIndex < files.count, files[fileIndex].size == 0 { try finishFile() }
                }
            }
            remaining[part] -= 1
            if remaining[part] == 0 { readers[part] = nil }
            progress(position)
        }
        return bad
    }
}
