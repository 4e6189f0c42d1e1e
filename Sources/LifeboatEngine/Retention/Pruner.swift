import Foundation
import Postgres
import Repository

/// `lifeboat prune`: applies a `RetentionPlan` to the repository, under the
/// cluster's run lock (no backup or drill runs meanwhile).
///
/// Order, so that a kill at any moment leaves every kept backup restorable:
/// each deleted backup loses its manifest first (from then on it does not
/// exist), then its other objects; then WAL no kept backup or the recovery
/// window needs (segments numbered below the plan's `walKeptFrom`, on every
/// timeline; history files always stay); then garbage of crashed runs —
/// objects of backups that never got a manifest, and the storage's own
/// leftovers (temporary files, unfinished uploads) of writers that are gone
/// or older than `grace`.
///
/// A backup without a manifest is garbage at once: backups write only while
/// holding the cluster lock, which prune holds, so its writer is gone.
public struct Pruner {
    public let policy: Policy
    public let repository: SealedRepository
    public let progress: ProgressReporter
    /// Storage leftovers younger than this are left alone unless the storage
    /// can tell their writer is gone (a local repository can).
    public var grace: TimeInterval = 3600

    public init(policy: Policy, repository: SealedRepository, progress: ProgressReporter) {
        self.policy = policy
        self.repository = repository
        self.progress = progress
    }

    var layout: ClusterLayout { ClusterLayout(cluster: policy.name) }

    /// What a prune decided and did.
    public struct Outcome: Sendable {
        public var plan: RetentionPlan
        public var deletedWAL: [String]
        /// The first WAL segment kept (on the recovery path), when WAL is pruned at all.
        public var walKeptFrom: String?
        public var garbage: [String]
        public var dryRun: Bool
        /// Backups whose manifest cannot be read: never deleted, and while there
        /// is one no WAL is deleted either (what it needs is unknown).
        public var damaged: [BackupCatalog.DamagedManifest] = []
    }

    public func run(now: Date, dryRun: Bool) throws -> Outcome {
        let lock = dryRun ? nil : try RepositoryLock.acquire(layout.runLock, in: repository, command: "prune", now: Date(), warn: progress.warning)
        defer { lock?.release() }

        let contents = try BackupCatalog(repository: repository, cluster: policy.name).contents()
        let manifests = contents.backups
        let pinned = try BackupPins(repository: repository, cluster: policy.name).pinned()
        let archive = WALArchive(repository: repository, cluster: policy.name, compression: policy.compression)
        let entries = try archive.entries()
        let segmentSize = try archive.segmentSize()
        let path = try archive.path(through: entries)
        let archivedAt = Dictionary(entries.map { ($0.file, $0.archivedAt) }, uniquingKeysWith: { first, _ in first })
        let segments = path.archivedNumbers.map { ArchivedSegment(number: $0, archivedAt: archivedAt[path.file($0)] ?? now) }
        let plan = RetentionPlan.make(backups: manifests.map { RetentionCandidate($0, pinned: pinned) }, wal: segments,
                                      settings: policy.retention, timeZone: policy.timeZone, now: now)

        let staleWAL = !contents.damaged.isEmpty ? [] : plan.walKeptFrom.map { first in
            entries.filter { $0.file.kind != .timelineHistory && $0.file.number(segmentSize: segmentSize) < first }.map(\.file)
        } ?? []
        let keptFrom = plan.walKeptFrom.map { path.file($0).description }
        // A damaged manifest's backup is not the garbage of a crashed run.
        let complete = Set(manifests.map(\.id) + contents.damaged.map(\.id))
        let garbage = try unfinishedBackups(complete: complete)
        if dryRun {
            return Outcome(plan: plan, deletedWAL: staleWAL.map(\.description), walKeptFrom: keptFrom,
                           garbage: garbage, dryRun: true, damaged: contents.damaged)
        }

        progress.begin("deleting \(plan.deleted.count) backup(s)", expectedBytes: nil)
        for backup in plan.deleted {
            try repository.storage.delete(layout.manifest(backup.id))
            try repository.storage.deleteAll(try repository.storage.list(prefix: layout.backupPrefix(backup.id)).map(\.key))
        }
        progress.end()
        progress.begin("deleting \(staleWAL.count) WAL file(s) no kept backup needs", expectedBytes: nil)
        try repository.storage.deleteAll(staleWAL.map(layout.wal))
        progress.end()
        for id in garbage {
            try repository.storage.deleteAll(try repository.storage.list(prefix: layout.backupPrefix(id)).map(\.key))
        }
        let leftovers = try repository.storage.removeLeftovers(olderThan: now.addingTimeInterval(-grace))
        return Outcome(plan: plan, deletedWAL: staleWAL.map(\.description), walKeptFrom: keptFrom,
                       garbage: garbage + leftovers, dryRun: false, damaged: contents.damaged)
    }

    /// Backups with objects but no manifest.
    func unfinishedBackups(complete: Set<String>) throws -> [String] {
        var unfinished: Set<String> = []
        for object in try repository.storage.list(prefix: layout.backupsPrefix) {
            guard let id = object.key.dropFirst(layout.backupsPrefix.count).split(separator: "/").first.map(String.init),
                  !complete.contains(id) else { continue }
            unfinished.insert(id)
        }
        return unfinished.sorted()
    }
}
