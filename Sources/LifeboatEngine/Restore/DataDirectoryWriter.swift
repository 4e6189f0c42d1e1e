import Archive
import CFileSupport
import Foundation
import Pipeline
import Repository
import Seal

/// Writes a physical backup's files into a data directory, decompressing all
/// data parts at once (one worker per part, up to `workers`): each part yields
/// whole blocks of the data stream whose place is known from the layout, so
/// every worker writes its blocks straight to their files at the right offsets.
///
/// `global/pg_control` is written under a temporary name and put in place
/// last, after everything else is on disk: an interrupted restore leaves a
/// directory PostgreSQL refuses to start. Files listed in `keep` (a delta
/// restore found them identical) are not written at all.
final class DataDirectoryWriter: @unchecked Sendable {
    static let controlFile = "global/pg_control"
    static let controlFileInProgress = "global/pg_control.lifeboat-restore"

    let destination: String
    let layout: PhysicalLayout
    let owner: FileOwner?
    let keep: DeltaScan.Kept
    /// A delta restore into a directory that already holds files (else it started empty).
    let replacing: Bool
    /// The algorithm the parts were compressed with (from the manifest).
    let compression: Compression.Algorithm
    private let lock = NSLock()
    private var written: Int64 = 0

    init(destination: String, layout: PhysicalLayout, compression: Compression.Algorithm, owner: FileOwner?, keep: DeltaScan.Kept, replacing: Bool) {
        self.destination = destination
        self.compression = compression
        self.layout = layout
        self.owner = owner
        self.keep = keep
        self.replacing = replacing
    }

    /// Bytes written so far (safe to read from any thread).
    var bytesWritten: Int64 { lock.withLock { written } }

    func path(of file: PhysicalLayout.File) -> String {
        destination + "/" + (file.path == Self.controlFile ? Self.controlFileInProgress : file.path)
    }

    /// Directories, symbolic links and empty files (the others are created as they are written).
    func prepare() throws {
        // Whatever control file is there goes first: until the restored one is
        // put in place at the very end, the directory cannot be started.
        unlink(destination + "/" + Self.controlFile)
        for file in layout.directories {
            let target = destination + "/" + file.path
            var status = stat()
            if lstat(target, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { continue }
            guard mkdir(target, 0o700) == 0 else { throw LocalFile.Failure(operation: "create directory", path: target, code: errno) }
        }
        for file in layout.symlinks {
            let target = destination + "/" + file.path
            var status = stat()
            if lstat(target, &status) == 0 { continue }
            guard symlink(file.target ?? "", target) == 0 else { throw LocalFile.Failure(operation: "create link", path: target, code: errno) }
        }
        // Files with content are created by the workers as they write them, so
        // that creating thousands of files overlaps decompression; what a
        // delta restore rewrites goes first, empty files are made here.
        var files = layout.regularFiles()
        while let (index, file) = try files.next() {
            guard !keep.contains(index) else { continue }
            if (file.size ?? 0) > 0 {
                guard !replacing || unlink(path(of: file)) == 0 || errno == ENOENT else { throw LocalFile.Failure(operation: "remove", path: path(of: file), code: errno) }
            } else {
                try LocalFile(path: path(of: file), flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600).close()
            }
        }
    }

    /// Decompresses every part into the files, `workers` parts at a time;
    /// `tick` runs on the calling thread about five times a second.
    func writeParts(_ parts: [(part: PhysicalLayout.Part, object: BackupManifest.StoredObject, key: String)],
                    repository: SealedRepository, workers: Int, tick: () -> Void) throws {
        let queue = BlockQueue<Int>(capacity: parts.count + 1)
        for index in parts.indices { queue.push(index) }
        queue.close()
        let group = DispatchGroup()
        let failure = FirstFailure()
        for _ in 0..<max(1, min(workers, parts.count)) {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while !failure.isSet, let index = queue.pop() {
                    do {
                        try write(parts[index].part, object: parts[index].object, key: parts[index].key, repository: repository)
                    } catch {
                        failure.set(error)
                    }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        while group.wait(timeout: .now() + 0.2) == .timedOut { tick() }
        tick()
        if let error = failure.error { throw error }
    }

    /// One part: its blocks rise, so the files they fall in are met in stream
    /// order, read one after the other from the layout's spilled list.
    private func write(_ part: PhysicalLayout.Part, object: BackupManifest.StoredObject, key: String, repository: SealedRepository) throws {
        let blockSize = Int64(layout.blockSize)
        // Parts of older backups carry a digest of their own (see `BackupManifest`).
        let hasher = object.sha256.isEmpty ? nil : try SHA256Hasher()
        let output = AlignedFileWriter()
        var total: Int64 = 0
        var blocks = part.blocks.makeIterator()
        var blockPosition = -1
        var blockNumber = 0
        var files = layout.regularFiles()
        var current = try files.next()
        try StreamPacking.unpackBlocks(from: try repository.openSealed(key), blockLengths: part.blocks.lazy.map(layout.blockLength),
                                       compression: compression) { index, offsetInBlock, bytes in
            try hasher?.update(bytes)
            total += Int64(bytes.count)
            // The part's `index`-th block.
            while blockPosition < index, let next = blocks.next() {
                blockNumber = next
                blockPosition += 1
            }
            var position = Int64(blockNumber) * blockSize + Int64(offsetInBlock)
            var consumed = 0
            while consumed < bytes.count, let (index, file) = current {
                let start = file.offset ?? 0
                let end = start + (file.size ?? 0)
                guard end > position else {
                    current = try files.next()
                    continue
                }
                let n = Int(min(Int64(bytes.count - consumed), end - position))
                if !keep.contains(index) {
                    try output.write(UnsafeRawBufferPointer(rebasing: bytes[consumed..<consumed + n]), at: position - start, file: index) {
                        try LocalFile(path: path(of: file), flags: O_WRONLY | O_CREAT, mode: 0o600)
                    }
                }
                consumed += n
                position += Int64(n)
            }
            lock.withLock { written += Int64(bytes.count) }
        }
        try output.close()
        guard total == object.plainBytes, try hasher?.finish().hexString ?? "" == object.sha256 else {
            throw PhysicalRestoreError.partMismatch(object: key)
        }
    }

    /// Modes, owners and times as in the backup (directories last, deepest
    /// first), everything flushed to disk, then `pg_control` put in place.
    func finish() throws {
        var files = layout.regularFiles()
        var hasControlFile = false
        while let (index, file) = try files.next() {
            try applyAttributes(path(of: file), mode: file.mode, mtime: file.mtime)
            if file.path == Self.controlFile, !keep.contains(index) { hasControlFile = true }
        }
        for file in layout.symlinks {
            if let owner { lchown(destination + "/" + file.path, owner.uid, owner.gid) }
        }
        for file in layout.directories.sorted(by: { $0.path.count > $1.path.count }) {
            try applyAttributes(destination + "/" + file.path, mode: file.mode, mtime: file.mtime)
        }
        let root = try LocalFile(path: destination, flags: O_RDONLY | O_DIRECTORY)
        guard lifeboat_syncfs(root.descriptor) == 0 else { throw LocalFile.Failure(operation: "flush", path: destination, code: errno) }
        if hasControlFile {
            try LocalFile.rename(destination + "/" + Self.controlFileInProgress, to: destination + "/" + Self.controlFile)
            try LocalFile.syncDirectory(destination + "/global")
        }
        if let owner { chown(destination, owner.uid, owner.gid) }
        chmod(destination, 0o700)
    }

    private func applyAttributes(_ path: String, mode: UInt32, mtime: Int64) throws {
        if let owner, chown(path, owner.uid, owner.gid) != 0 { throw LocalFile.Failure(operation: "change the owner of", path: path, code: errno) }
        guard chmod(path, mode_t(mode & 0o777)) == 0 else { throw LocalFile.Failure(operation: "change the mode of", path: path, code: errno) }
        var times = [timespec(tv_sec: time_t(mtime), tv_nsec: 0), timespec(tv_sec: time_t(mtime), tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }
}

/// The first error of several threads.
final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    var isSet: Bool { lock.withLock { first != nil } }
    var error: Error? { lock.withLock { first } }
    func set(_ error: Error) { lock.withLock { if first == nil { first = error } } }
}
