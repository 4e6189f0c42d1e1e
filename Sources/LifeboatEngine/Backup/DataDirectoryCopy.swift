import Foundation
import Pipeline
import Postgres
import Seal

/// A base backup read straight from the data directory, as pgBackRest and
/// Barman's rsync method do, when lifeboat runs on the database host: one
/// connection calls `pg_backup_start`, the files are read and packed, and the
/// same connection calls `pg_backup_stop`, whose label becomes the backup's
/// `backup_label`. Compared with `pg_basebackup` this saves the server's
/// walsender, the tar stream and its parsing — two copies of every byte
/// across two processes — so compression has the cores to itself.
///
/// The directory is walked by `DataDirectoryWalk` (PostgreSQL's exclusions);
/// each file is read into the packer's blocks and hashed once; files that
/// change meanwhile are made consistent by replaying the backup's WAL, as
/// with any base backup. `global/pg_control` is copied last. PostgreSQL's
/// `backup_manifest` is written here (`PostgresBackupManifest`), so that
/// `pg_verifybackup` checks a restored directory as it would a streamed one.
struct DataDirectoryCopy {
    let connection: PostgresConnection
    let root: String
    let label: String
    let fastCheckpoint: Bool
    let packer: ParallelPacker
    let progress: ProgressReporter
    let clock: @Sendable () -> Date

    /// Whether `root` is the data directory of the server behind `facts`:
    /// its `pg_control` is readable and names the same system identifier.
    static func isDataDirectory(_ root: String, of facts: ServerFacts) -> Bool {
        guard let control = try? LocalFile.reading(root + "/" + DataDirectoryWalk.controlFile),
              let bytes = try? control.read(count: 8, at: 0), bytes.count == 8 else { return false }
        try? control.close()
        let identifier = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        return String(identifier) == facts.systemIdentifier
    }

    func run() throws -> PhysicalBackup.Streamed {
        let modern = connection.serverMajorVersion >= 15
        _ = try connection.query(modern ? "SELECT pg_backup_start($1, $2)" : "SELECT pg_start_backup($1, $2, false)",
                                 [label, fastCheckpoint ? "true" : "false"])
        let files = try PhysicalLayoutWriter()
        let postgresManifest = try PostgresBackupManifest()
        func record(_ file: PhysicalLayout.File) throws {
            try files.add(file)
            if file.type == .file { try postgresManifest.add(file) }
        }
        try DataDirectoryWalk(root: root).forEach { entry in
            switch entry.kind {
            case .directory:
                try record(.init(path: entry.path, type: .directory, mode: entry.mode, mtime: entry.mtime))
            case let .symlink(target):
                try record(.init(path: entry.path, type: .symlink, mode: entry.mode, mtime: entry.mtime, target: target))
            case .file:
                if let file = try copy(entry.path, mode: entry.mode, mtime: entry.mtime) { try record(file) }
            }
        }
        guard let control = try copy(DataDirectoryWalk.controlFile, mode: 0o600, mtime: Int64(clock().timeIntervalSince1970)) else {
            throw PhysicalBackupError.missingFromStream(DataDirectoryWalk.controlFile)
        }
        try record(control)

        let stop = try connection.query(modern ? "SELECT lsn, labelfile, spcmapfile FROM pg_backup_stop(false)"
                                               : "SELECT lsn, labelfile, spcmapfile FROM pg_stop_backup(false, false)").firstRow()
        guard let stopText = stop["lsn"] ?? nil, let stopLSN = LSN(stopText), let labelText = stop["labelfile"] ?? nil,
              let backupLabel = BackupLabel(labelText) else {
            throw PhysicalBackupError.malformedStream("pg_backup_stop returned no usable backup label")
        }
        let now = Int64(clock().timeIntervalSince1970)
        try record(try add("backup_label", Array(labelText.utf8), mtime: now))
        if let map = stop["spcmapfile"] ?? nil, !map.isEmpty {
            try record(try add("tablespace_map", Array(map.utf8), mtime: now))
        }
        let range = BackupManifest.PhysicalInfo.WALRange(timeline: backupLabel.timeline, startLSN: backupLabel.startLSN, endLSN: stopLSN)
        return PhysicalBackup.Streamed(files: files, parts: try packer.finish(), blockSize: packer.blockSize, label: backupLabel,
                                       postgresManifest: try postgresManifest.document(ranges: [range]),
                                       walRanges: [range], source: .dataDirectory)
    }

    /// Reads one file into the packer; nil when it disappeared before it could be opened.
    private func copy(_ path: String, mode: UInt32, mtime: Int64) throws -> PhysicalLayout.File? {
        let descriptor = open(root + "/" + path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw LocalFile.Failure(operation: "open", path: root + "/" + path, code: errno)
        }
        defer { close(descriptor) }
        posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        let hasher = try SHA256Hasher()
        let offset = packer.totalBytes
        let size = try packer.append(readingWith: { buffer in
            while true {
                let n = read(descriptor, buffer.baseAddress, buffer.count)
                if n >= 0 { return n }
                if errno != EINTR { throw LocalFile.Failure(operation: "read", path: root + "/" + path, code: errno) }
            }
        }, observe: { bytes in
            try hasher.update(bytes)
            progress.advance(to: packer.totalBytes)
        })
        return .init(path: path, type: .file, mode: mode, mtime: mtime, size: size, offset: offset, sha256: try hasher.finish().hexString)
    }

    /// Adds a file made here (the label) to the stream.
    private func add(_ path: String, _ bytes: [UInt8], mtime: Int64) throws -> PhysicalLayout.File {
        let offset = packer.totalBytes
        try bytes.withUnsafeBytes { try packer.append($0) }
        return .init(path: path, type: .file, mode: 0o600, mtime: mtime, size: Int64(bytes.count), offset: offset,
                     sha256: try SHA256Hasher.digest(bytes).hexString)
    }
}
