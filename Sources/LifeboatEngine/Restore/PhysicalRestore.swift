import Archive
import Foundation
import Pipeline
import Postgres
import Repository

/// `lifeboat restore --data-dir DIR`: a physical backup written into a data
/// directory and configured to recover to a target through the archived WAL.
///
/// The backup is the newest one that is consistent before the target (or the
/// one named); a target the repository cannot reach is refused before anything
/// is written. The directory must be empty (it is created if missing, mode
/// 0700, owned by the policy's `os_user` when run as root) unless `delta` is
/// set: then it is made identical to the backup — files whose size and SHA-256
/// match are kept, the others rewritten, files not in the backup removed.
/// A directory a server is running on is always refused.
public struct PhysicalRestore {
    public struct Request: Sendable {
        public var dataDirectory: String
        /// A backup id, `latest`, or nil to choose by the target.
        public var backup: String?
        public var target: RecoveryTarget = .end
        public var action: RecoveryTarget.Action = .promote
        public var delta = false
        /// Recover along this timeline; nil for the newest in the archive.
        public var timeline: UInt32?
        /// Whether the restored server archives WAL (through the backup's own
        /// `archive_command`); off for copies that must not write into the repository.
        public var archiving = true
        /// Recover only through the WAL archived up to this horizon (drills).
        public var horizon: WALHorizon?

        public init(dataDirectory: String) { self.dataDirectory = dataDirectory }
    }

    public struct Outcome: Sendable {
        public var backup: BackupManifest
        public var dataDirectory: String
        public var settings: RecoverySettings
        public var window: RecoveryWindow?
        public var bytesWritten: Int64
        public var filesKept: Int
    }

    public let policy: Policy
    public let repository: SealedRepository
    public let progress: ProgressReporter
    /// The lifeboat executable `restore_command` should run.
    public let executable: String

    public init(policy: Policy, repository: SealedRepository, progress: ProgressReporter, executable: String) {
        self.policy = policy
        self.repository = repository
        self.progress = progress
        self.executable = executable
    }

    var layout: ClusterLayout { ClusterLayout(cluster: policy.name) }

    public func run(_ request: Request) throws -> Outcome {
        let archive = WALArchive(repository: repository, cluster: policy.name, compression: policy.compression)
        let catalog = BackupCatalog(repository: repository, cluster: policy.name)
        let contents = try catalog.contents()
        if let damaged = contents.damaged.first(where: { $0.id == request.backup }) { throw damaged }
        let plan = try RecoveryPlanner(backups: contents.backups, archive: archive, timeline: request.timeline)
            .plan(request.target, backup: request.backup)
        let backup = plan.backup

        // The layout is read and checked before the directory is touched: a damaged or hostile one leaves nothing behind.
        let physicalLayout = try PhysicalLayout.read(of: backup, repository: repository, layout: layout)
        let owner = try FileOwner.forOSUser(policy.postgres.osUser)
        let destination = try prepareDirectory(request.dataDirectory, delta: request.delta, owner: owner)
        if request.delta {
            // First of all, make the directory unstartable until the restore is complete.
            unlink(destination + "/" + DataDirectoryWriter.controlFile)
            if FileManager.default.fileExists(atPath: destination + "/global") { try LocalFile.syncDirectory(destination + "/global") }
        }
        let keep = request.delta ? try DeltaScan(destination: destination, layout: physicalLayout).run(progress: progress)
                                 : DeltaScan.Kept(files: physicalLayout.regularFileCount)

        guard let algorithm = Compression.Algorithm(rawValue: backup.compression.algorithm) else {
            throw PhysicalRestoreError.partMismatch(object: layout.manifest(backup.id))
        }
        let writer = DataDirectoryWriter(destination: destination, layout: physicalLayout, compression: algorithm, owner: owner, keep: keep,
                                             replacing: request.delta)
        try writer.prepare()
        let parts = try physicalLayout.parts.map { part -> (PhysicalLayout.Part, BackupManifest.StoredObject, String) in
            guard let object = backup.objects.first(where: { $0.name == part.name && $0.kind == .data }) else {
                throw StorageError.notFound(key: layout.object(backup.id, part.name))
            }
            return (part, object, layout.object(backup.id, part.name))
        }
        let expected = parts.reduce(Int64(0)) { $0 + $1.1.plainBytes }
        progress.begin("restoring backup \(backup.id)", expectedBytes: expected)
        try writer.writeParts(parts.map { (part: $0.0, object: $0.1, key: $0.2) }, repository: repository,
                              workers: policy.postgres.physicalJobs) { progress.advance(to: writer.bytesWritten) }
        progress.end()

        try writeBackupManifest(of: backup, to: destination + "/backup_manifest", owner: owner)
        let policyPath = policy.file.hasPrefix("/") ? policy.file : FileManager.default.currentDirectoryPath + "/" + policy.file
        let settings = RecoverySettings(restoreCommand: RecoverySettings.restoreCommand(executable: executable, policy: policyPath,
                                                                                                       horizon: request.horizon),
                                        target: request.target, action: request.action, timeline: request.timeline,
                                        archiving: request.archiving)
        try settings.apply(to: destination, owner: owner, note: "Recovery settings written by lifeboat restore of backup \(backup.id)")
        try writer.finish()
        return Outcome(backup: backup, dataDirectory: destination, settings: settings, window: plan.window,
                       bytesWritten: writer.bytesWritten, filesKept: keep.count)
    }

    /// Whether `directory` is the policy's `data_directory` — a restore that
    /// replaces the server, which should go on archiving; any other directory
    /// is a copy that must not archive into the repository by default.
    public static func isServerDirectory(_ directory: String, policy: Policy) -> Bool {
        guard let configured = policy.postgres.dataDirectory else { return false }
        func normalized(_ path: String) -> String {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            return URL(fileURLWithPath: absolute).standardizedFileURL.resolvingSymlinksInPath().path
        }
        return normalized(directory) == normalized(configured)
    }

    /// Creates the directory or checks it may be written; returns its real path.
    func prepareDirectory(_ path: String, delta: Bool, owner: FileOwner?) throws -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw PhysicalRestoreError.directoryNotEmpty(path: path) }
            if let pid = RunningServer.pid(dataDirectory: path) { throw PhysicalRestoreError.serverRunning(path: path, pid: pid) }
            let contents = try FileManager.default.contentsOfDirectory(atPath: path)
            if !contents.isEmpty, !delta { throw PhysicalRestoreError.directoryNotEmpty(path: path) }
        } else {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if let owner { chown(path, owner.uid, owner.gid) }
        chmod(path, 0o700)
        guard let resolved = realpath(path, nil) else { throw LocalFile.Failure(operation: "resolve", path: path, code: errno) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// PostgreSQL's manifest of the backup, streamed into `path` and checked against the size and SHA-256 its manifest lists.
    func writeBackupManifest(of backup: BackupManifest, to path: String, owner: FileOwner?) throws {
        let key = layout.object(backup.id, "backup_manifest")
        unlink(path)
        let file = try LocalFile.creating(path)
        let summary = try StreamPacking.unpack(from: try repository.openSealed(key), compression: Compression.Algorithm(rawValue: backup.compression.algorithm),
                                               to: { try file.write($0) })
        try file.close()
        guard let object = backup.objects.first(where: { $0.name == "backup_manifest" }), object.matches(summary) else {
            unlink(path)
            throw PhysicalRestoreError.partMismatch(object: key)
        }
        if let owner { chown(path, owner.uid, owner.gid) }
    }
}
