import Archive
import Foundation
import Pipeline
import Postgres
import Repository

/// A cluster's archived WAL in the repository: `archive_command` pushes into it,
/// `restore_command` fetches from it. Each file is compressed and sealed under
/// its PostgreSQL name (see `ClusterLayout.wal`) and never overwritten.
public struct WALArchive: Sendable {
    public let repository: SealedRepository
    public let layout: ClusterLayout
    public let compression: Compression
    /// Threads that compress one pushed file (see `StreamPacking.compressRanges`).
    public let workers: Int

    public init(repository: SealedRepository, cluster: String, compression: Compression, workers: Int = 1) {
        self.repository = repository
        layout = ClusterLayout(cluster: cluster)
        self.compression = compression
        self.workers = workers
    }

    /// What a push did.
    public enum PushOutcome: Sendable, Equatable {
        /// Stored now: plaintext and stored sizes.
        case archived(plainBytes: Int64, storedBytes: Int64)
        /// The repository already held the same bytes under this name.
        case alreadyArchived
    }

    /// Archives the file at `path` (PostgreSQL's `%p`). Durable in the repository
    /// when this returns. Pushing the same file again succeeds; a different file
    /// under an archived name fails and changes nothing.
    public func push(path: String) throws -> PushOutcome {
        let name = (path as NSString).lastPathComponent
        guard let file = WALFileName(name) else { throw WALArchiveError.notAWALFile(path: path) }
        let input: LocalFile
        do {
            input = try LocalFile.reading(path)
        } catch {
            throw WALArchiveError.cannotRead(path: path, reason: error.localizedDescription)
        }
        let size = try input.size
        if file.kind == .segment || file.kind == .partial {
            try checkSegment(input, size: size, file: file, path: path)
        }
        let key = layout.wal(file)
        if try repository.storage.stat(key) != nil {
            return try compare(input, with: key, name: name)
        }
        do {
            let descriptor = input.descriptor
            let stored = try repository.putSealed(key, mode: .createOnly) { sealer in
                _ = try StreamPacking.compressRanges(size: size, workers: workers, compression: compression, read: { offset, buffer in
                    while true {
                        let n = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
                        if n >= 0 { return n }
                        if errno != EINTR { throw WALArchiveError.cannotRead(path: path, reason: String(cString: strerror(errno))) }
                    }
                }, into: sealer)
            }
            return .archived(plainBytes: stored.plaintextBytes, storedBytes: stored.storedBytes)
        } catch StorageError.alreadyExists {
            try input.rewind()
            return try compare(input, with: key, name: name)
        }
    }

    /// The segment's header must match its name, its size, and this cluster.
    private func checkSegment(_ input: LocalFile, size: Int64, file: WALFileName, path: String) throws {
        let header: WALLongPageHeader
        do {
            header = try WALLongPageHeader.parse(try input.read(count: 40, at: 0))
        } catch let error as WALFormatError {
            throw WALArchiveError.malformed(path: path, reason: error.localizedDescription)
        }
        let segmentSize = UInt64(header.segmentSize)
        // The first segment of a new timeline begins with pages copied from its
        // parent, whose headers still carry the parent's (smaller) timeline.
        guard header.timeline <= file.timeline, header.pageAddress == file.startLSN(segmentSize: segmentSize) else {
            throw WALArchiveError.malformed(path: path, reason: "its header says timeline \(header.timeline) at \(header.pageAddress)")
        }
        if file.kind == .segment, size != Int64(segmentSize) {
            throw WALArchiveError.malformed(path: path, reason: "\(size) bytes instead of the segment size \(segmentSize)")
        }
        let observed = ClusterIdentity(systemIdentifier: String(header.systemIdentifier), walSegmentSize: Int(segmentSize), createdAt: Date())
        try ClusterIdentity.confirm(observed, in: repository, layout: layout)
    }

    private func compare(_ input: LocalFile, with key: String, name: String) throws -> PushOutcome {
        let local = try input.sha256()
        let archived = try StreamPacking.unpack(from: try repository.openSealed(key), to: { _ in }).sha256
        guard archived == local else {
            throw WALArchiveError.conflictingContent(name: name, archivedSHA256: archived, localSHA256: local)
        }
        // The push that stored it may have been killed before flushing it.
        try repository.storage.makeDurable(key)
        return .alreadyArchived
    }

    /// Writes the archived file `name` to `destination` (through a temporary
    /// file and a rename). False when the archive has no such file.
    public func fetch(_ name: String, to destination: String) throws -> Bool {
        guard let file = WALFileName(name) else { throw WALArchiveError.notAWALFile(path: name) }
        let reader: UnsealingReader
        do {
            reader = try repository.openSealed(layout.wal(file))
        } catch StorageError.notFound {
            return false
        }
        let temporary = destination + ".lifeboat-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            let output = try LocalFile.creating(temporary)
            _ = try StreamPacking.unpack(from: reader, to: { try output.write($0) })
            try output.close()
            try LocalFile.rename(temporary, to: destination)
        } catch {
            unlink(temporary)
            if let failure = error as? LocalFile.Failure {
                throw WALArchiveError.cannotWrite(path: destination, reason: failure.localizedDescription)
            }
            throw error
        }
        return true
    }

    /// One archived WAL file as a listing shows it.
    public struct Entry: Sendable, Equatable {
        public var file: WALFileName
        public var storedBytes: Int64
        public var archivedAt: Date
    }

    /// Every archived WAL file, in timeline and position order.
    public func entries() throws -> [Entry] {
        try repository.storage.list(prefix: layout.walPrefix).compactMap { info in
            guard let name = info.key.split(separator: "/").last, let file = WALFileName(String(name)) else { return nil }
            return Entry(file: file, storedBytes: info.size, archivedAt: info.modified)
        }.sorted { $0.file < $1.file }
    }

    /// The text of a timeline history file, or nil when it is not archived.
    public func history(timeline: UInt32) throws -> TimelineHistory? {
        do {
            let bytes = try contents(of: .history(timeline: timeline))
            return TimelineHistory(timeline: timeline, text: String(decoding: bytes, as: UTF8.self))
        } catch StorageError.notFound {
            return nil
        }
    }
}

extension WALArchive {
    /// The plaintext of a small archived file, such as a timeline history
    /// (segments are read piece by piece: see `facts(of:)` and `fetch`).
    public func contents(of file: WALFileName) throws -> [UInt8] {
        try StreamPacking.unpackAll(from: try repository.openSealed(layout.wal(file))).0
    }

    /// The WAL segment size this cluster archives with (16 MiB before anything is archived).
    public func segmentSize() throws -> UInt64 {
        UInt64(try ClusterIdentity.read(from: repository, layout: layout)?.walSegmentSize ?? 16 << 20)
    }

    /// The path recovery follows through these entries (see `WALPath`); `timeline` nil for the newest.
    public func path(through entries: [Entry], timeline: UInt32? = nil) throws -> WALPath {
        try WALPath(entries: entries, segmentSize: try segmentSize(), timeline: timeline, history: history)
    }

    /// What the records of an archived segment say, read as the segment is
    /// decompressed: a few pages in memory at a time, not the whole segment.
    public func facts(of file: WALFileName) throws -> WALSegmentFacts {
        let stream = try WALSegmentStream(capacity: Int(try segmentSize()))
        guard let plaintext = try StreamPacking.openPlaintext(of: try repository.openSealed(layout.wal(file))) else {
            return try stream.finish()
        }
        return try stream.facts(reading: { try plaintext.readData(into: $0) })
    }
}
