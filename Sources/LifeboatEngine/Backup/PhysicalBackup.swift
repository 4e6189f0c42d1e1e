import Archive
import ExternalProgram
import Foundation
import Pipeline
import Postgres
import Repository
import Seal

/// `lifeboat backup --type physical`: a base backup, never written to local
/// disk on the way. On the database host (the policy's `data_directory` is
/// this server's and readable) the files are read directly between
/// `pg_backup_start` and `pg_backup_stop` (`DataDirectoryCopy`); elsewhere
/// `pg_basebackup` streams them as tar on its standard output, and each entry
/// is checked (no absolute paths, no `..`, no special files). Either way every
/// file is hashed once, and file contents are compressed on every core by
/// `ParallelPacker` into sealed `data-NNNN` parts; the layout (`files.json`)
/// and, when streamed, PostgreSQL's own `backup_manifest` are stored beside
/// them. The backup exists — its manifest is written — only once every WAL
/// segment from its start to its end is in the repository (archived by
/// `lifeboat wal-push`).
public struct PhysicalBackup {
    public let policy: Policy
    public let repository: SealedRepository
    public let progress: ProgressReporter
    public let clock: @Sendable () -> Date

    public init(policy: Policy, repository: SealedRepository, progress: ProgressReporter, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.policy = policy
        self.repository = repository
        self.progress = progress
        self.clock = clock
    }

    var layout: ClusterLayout { ClusterLayout(cluster: policy.name) }

    public func run() throws -> BackupManifest {
        let lock = try RepositoryLock.acquire(layout.runLock, in: repository, command: "backup --type physical", now: clock(), warn: progress.warning)
        defer { lock.release() }

        let connection = try PostgresConnection(policy.postgres.connection())
        let facts = try connection.serverFacts()
        try preflight(connection, facts: facts)
        try ClusterIdentity.confirm(ClusterIdentity(systemIdentifier: facts.systemIdentifier, walSegmentSize: Int(facts.walSegmentSize),
                                                    createdAt: clock()),
                                    in: repository, layout: layout)
        let expected = try? connection.query("SELECT sum(pg_database_size(oid))::bigint FROM pg_database").scalar().flatMap { Int64($0) }

        let startedAt = clock()
        let id = BackupID.make(at: startedAt)
        do {
            let streamed: Streamed
            if let directory = policy.postgres.dataDirectory, DataDirectoryCopy.isDataDirectory(directory, of: facts) {
                streamed = try copy(directory, connection: connection, id: id, expected: expected ?? nil)
            } else {
                let pgBaseBackup = try PostgresPrograms(binDirectory: policy.postgres.binDirectory).checked("pg_basebackup", serverMajor: facts.majorVersion)
                streamed = try stream(pgBaseBackup, id: id, expected: expected ?? nil)
            }
            // The server's clock (commit times in WAL come from it), read after the backup ended.
            let consistentAt = try connection.query("SELECT extract(epoch FROM clock_timestamp())::text").scalar()
                .flatMap { Double($0) }.map { Date(timeIntervalSince1970: $0) } ?? clock()
            let info = try recoveryInfo(streamed, segmentSize: Int(facts.walSegmentSize), consistentAt: consistentAt)

            // Stored while the archiver pushes the last segment; listed only by the manifest, after the wait.
            var objects = streamed.parts.map {
                BackupManifest.StoredObject(name: $0.name, kind: .data, database: nil, format: "blocks",
                                            plainBytes: $0.plaintextBytes, sha256: "", storedBytes: $0.storedBytes)
            }
            let layoutDocument = try streamed.files.document(blockSize: streamed.blockSize,
                                                             parts: streamed.parts.map { .init(name: $0.name, blocks: $0.blocks) })
            objects.append(try storePacked(layoutDocument, id: id, name: "files.json", kind: .layout))
            objects.append(try storePacked(streamed.postgresManifest, id: id, name: "backup_manifest", kind: .postgresManifest))
            try waitForWAL(info)
            let stopLSN = info.walRanges.last?.endLSN ?? streamed.label.startLSN
            let manifest = BackupManifest(
                format: BackupManifest.formatVersion, id: id, cluster: policy.name, type: .physical,
                startedAt: startedAt, finishedAt: clock(),
                serverVersion: facts.version, serverMajor: facts.majorVersion, systemIdentifier: facts.systemIdentifier,
                timeline: Int(streamed.label.timeline), startLSN: streamed.label.startLSN, stopLSN: stopLSN,
                databases: try connection.query("SELECT datname FROM pg_database WHERE datallowconn ORDER BY 1").rows.compactMap { $0.first ?? nil },
                compression: .init(algorithm: policy.compression.algorithm.rawValue, level: policy.compression.level),
                keyGeneration: repository.keyring.currentGeneration, lifeboatVersion: LifeboatVersion.current,
                objects: objects, physical: info
            )
            try repository.putSealed(layout.manifest(id), bytes: try RepositoryJSON.encode(manifest), mode: .createOnly)
            return manifest
        } catch {
            repository.removeUnfinishedBackup(id, layout: layout)
            throw error
        }
    }

    private func preflight(_ connection: PostgresConnection, facts: ServerFacts) throws {
        guard facts.archiveMode != "off" else { throw PhysicalBackupError.archivingOff(policy: policy.file) }
        guard facts.walLevel != "minimal" else { throw PhysicalBackupError.walLevelMinimal }
        let tablespaces = try connection.query("SELECT spcname FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY 1")
            .rows.compactMap { $0.first ?? nil }
        guard tablespaces.isEmpty else { throw PhysicalBackupError.tablespaces(tablespaces) }
    }

    /// What the copy produced.
    struct Streamed {
        var files: PhysicalLayoutWriter
        var parts: [ParallelPacker.Part]
        var blockSize: Int
        var label: BackupLabel
        /// PostgreSQL's `backup_manifest` as a source of bytes: pg_basebackup's, or made for a direct copy.
        var postgresManifest: (UnsafeMutableRawBufferPointer) throws -> Int
        /// The WAL the backup needs.
        var walRanges: [BackupManifest.PhysicalInfo.WALRange]
        var source: BackupManifest.PhysicalInfo.Source
    }

    func packer(id: String) -> ParallelPacker {
        let repository = self.repository
        let layout = self.layout
        return ParallelPacker(
            workers: policy.postgres.physicalJobs, compression: policy.compression,
            partName: { String(format: "data-%04d", $0) },
            store: { name, body in try repository.putSealed(layout.object(id, name), mode: .createOnly, body).storedBytes }
        )
    }

    /// Reads the data directory itself (see `DataDirectoryCopy`).
    func copy(_ directory: String, connection: PostgresConnection, id: String, expected: Int64?) throws -> Streamed {
        let packer = packer(id: id)
        progress.begin("copying the data directory", expectedBytes: expected)
        defer { progress.end() }
        do {
            return try DataDirectoryCopy(connection: connection, root: directory, label: "lifeboat \(id)",
                                         fastCheckpoint: policy.postgres.fastCheckpoint, packer: packer, progress: progress, clock: clock).run()
        } catch {
            packer.abort()
            throw error
        }
    }

    /// Runs pg_basebackup and repackages its tar stream.
    func stream(_ pgBaseBackup: String, id: String, expected: Int64?) throws -> Streamed {
        var arguments = ["--pgdata=-", "--format=tar", "--wal-method=none", "--no-password", "--label=lifeboat \(id)",
                         "--checkpoint=\(policy.postgres.fastCheckpoint ? "fast" : "spread")"]
        if let user = policy.postgres.user { arguments.append("--username=\(user)") }
        var environment = policy.postgres.connection().environment
        environment.removeValue(forKey: "PGDATABASE")
        let output = try ProgramOutputStream(Program(pgBaseBackup, arguments, environment: environment))
        let pid = output.processID
        let watchdog = ArchiveWaitWatchdog(parameters: policy.postgres.connection(), label: "lifeboat \(id)",
                                           timeout: TimeInterval(policy.postgres.walWait.seconds)) { kill(pid, SIGTERM) }
        watchdog.start()
        defer { watchdog.stop() }
        let packer = packer(id: id)
        progress.begin("streaming the base backup", expectedBytes: expected)
        defer { progress.end() }
        let files = try PhysicalLayoutWriter()
        var label: BackupLabel?
        var postgresManifest: SpillFile?
        do {
            let reader = try ArchiveReader(format: .tar) { try output.read(into: $0) }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 64)
            defer { buffer.deallocate() }
            while let entry = try reader.nextEntry() {
                try SafeExtractor.validate(entry)
                switch entry.kind {
                case .directory:
                    try files.add(.init(path: entry.path, type: .directory, mode: entry.permissions, mtime: entry.modificationTime))
                case let .symlink(target):
                    try files.add(.init(path: entry.path, type: .symlink, mode: entry.permissions, mtime: entry.modificationTime, target: target))
                case .file where entry.path == "backup_manifest":
                    let spill = try SpillFile()
                    while true {
                        let n = try reader.readData(into: buffer)
                        if n == 0 { break }
                        try spill.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                    }
                    try spill.flush()
                    postgresManifest = spill
                case .file:
                    let hasher = try SHA256Hasher()
                    let offset = packer.totalBytes
                    var captured: [UInt8] = []
                    while true {
                        let n = try reader.readData(into: buffer)
                        if n == 0 { break }
                        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                        try hasher.update(bytes)
                        try packer.append(bytes)
                        if entry.path == "backup_label" { captured += bytes }
                        progress.advance(to: packer.totalBytes)
                    }
                    let size = packer.totalBytes - offset
                    guard size == entry.size else { throw PhysicalBackupError.malformedStream("\(entry.path): \(size) of \(entry.size) bytes") }
                    try files.add(.init(path: entry.path, type: .file, mode: entry.permissions, mtime: entry.modificationTime,
                                        size: size, offset: offset, sha256: try hasher.finish().hexString))
                    if entry.path == "backup_label" { label = BackupLabel(String(decoding: captured, as: UTF8.self)) }
                case .hardlink, .special:
                    throw PhysicalBackupError.malformedStream("\(entry.path) is not a file, directory or symbolic link")
                }
            }
            try output.finish()
            let parts = try packer.finish()
            guard let label else { throw PhysicalBackupError.missingFromStream("backup_label") }
            guard let postgresManifest else { throw PhysicalBackupError.missingFromStream("backup_manifest") }
            return Streamed(files: files, parts: parts, blockSize: packer.blockSize, label: label,
                            postgresManifest: postgresManifest.source(between: [], and: []),
                            walRanges: try walRanges(postgresManifest), source: .pgBaseBackup)
        } catch {
            packer.abort()
            if let failed = watchdog.fired {
                throw PhysicalBackupError.archivingStalled(seconds: policy.postgres.walWait.seconds, lastFailed: failed)
            }
            // A stream that ended early (a truncated tar): pg_basebackup failed, and its own message says
            // why (the server shut down, the connection broke), not the tar reader's.
            if error is ArchiveError { try output.finish() }
            throw error
        }
    }

    /// Start and end of the WAL the backup needs: from its label and where
    /// `pg_backup_stop` ended it, or from PostgreSQL's manifest when streamed.
    func recoveryInfo(_ streamed: Streamed, segmentSize: Int, consistentAt: Date) throws -> BackupManifest.PhysicalInfo {
        let ranges = streamed.walRanges
        guard let last = ranges.last else { throw PhysicalBackupError.malformedStream("backup_manifest has no WAL-Ranges") }
        let size = UInt64(segmentSize)
        let stop = WALFileName.segment(timeline: last.timeline, containing: LSN(max(last.endLSN.value, 1) - 1), segmentSize: size)
        return BackupManifest.PhysicalInfo(
            walSegmentSize: segmentSize, startSegment: streamed.label.startSegment, stopSegment: stop.description,
            checkpointLSN: streamed.label.checkpointLSN, walRanges: ranges, consistentAt: consistentAt,
            files: streamed.files.count, source: streamed.source
        )
    }

    /// The `WAL-Ranges` of PostgreSQL's `backup_manifest`: the manifest ends
    /// with them (after the files, which can be many), so only its last
    /// 64 KiB are read, from the last `"WAL-Ranges"` on.
    func walRanges(_ postgresManifest: SpillFile) throws -> [BackupManifest.PhysicalInfo.WALRange] {
        let tailBytes = Int(min(postgresManifest.length, 64 * 1024))
        let tail = try postgresManifest.reader(from: postgresManifest.length - Int64(tailBytes)).read(count: tailBytes) ?? []
        let key = Array("\"WAL-Ranges\"".utf8)
        guard let start = (0...max(0, tail.count - key.count)).last(where: { tail[$0...].starts(with: key) }) else {
            throw PhysicalBackupError.malformedStream("backup_manifest has no WAL-Ranges")
        }
        let document = Array("{".utf8) + tail[start...]
        struct PostgresManifest: Decodable {
            struct Range: Decodable {
                let timeline: UInt32
                let start: String
                let end: String
                enum CodingKeys: String, CodingKey {
                    case timeline = "Timeline"
                    case start = "Start-LSN"
                    case end = "End-LSN"
                }
            }
            let ranges: [Range]
            enum CodingKeys: String, CodingKey { case ranges = "WAL-Ranges" }
        }
        let decoded: PostgresManifest
        do {
            decoded = try JSONDecoder().decode(PostgresManifest.self, from: Data(document))
        } catch {
            throw PhysicalBackupError.malformedStream("backup_manifest: \(error.localizedDescription)")
        }
        return try decoded.ranges.map { range -> BackupManifest.PhysicalInfo.WALRange in
            guard let start = LSN(range.start), let end = LSN(range.end) else {
                throw PhysicalBackupError.malformedStream("backup_manifest: WAL range \(range.start)–\(range.end)")
            }
            return .init(timeline: range.timeline, startLSN: start, endLSN: end)
        }
    }

    /// Waits until every segment of the backup's WAL ranges is in the repository.
    func waitForWAL(_ info: BackupManifest.PhysicalInfo) throws {
        let size = UInt64(info.walSegmentSize)
        var needed: [WALFileName] = []
        for range in info.walRanges {
            let first = WALFileName.segment(timeline: range.timeline, containing: range.startLSN, segmentSize: size)
            let last = WALFileName.segment(timeline: range.timeline, containing: LSN(max(range.endLSN.value, 1) - 1), segmentSize: size)
            var segment = first
            while segment <= last {
                needed.append(segment)
                segment = segment.next(segmentSize: size)
            }
        }
        progress.begin("waiting for the backup's WAL to be archived", expectedBytes: nil)
        defer { progress.end() }
        let timeout = policy.postgres.walWait.seconds
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        // A push takes a tenth of a second or so: look again soon, then less and less often.
        var pause: useconds_t = 20_000
        while true {
            needed = try needed.filter { try repository.storage.stat(layout.wal($0)) == nil }
            if needed.isEmpty { return }
            guard Date() < deadline else { throw PhysicalBackupError.walNotArchived(missing: needed.map(\.description), seconds: timeout) }
            usleep(pause)
            pause = min(pause * 3 / 2, 500_000)
        }
    }

    /// Stores a document compressed and sealed as one of the backup's objects.
    func storePacked(_ source: (UnsafeMutableRawBufferPointer) throws -> Int, id: String, name: String,
                     kind: BackupManifest.StoredObject.Kind) throws -> BackupManifest.StoredObject {
        var summary = StreamPacking.Summary(plaintextBytes: 0, sha256: "")
        let stored = try repository.putSealed(layout.object(id, name), mode: .createOnly) { sealer in
            summary = try StreamPacking.pack(from: source, compression: policy.compression, into: sealer)
        }
        return BackupManifest.StoredObject(name: name, kind: kind, database: nil, format: "json",
                                           plainBytes: summary.plaintextBytes, sha256: summary.sha256, storedBytes: stored.storedBytes)
    }
}
