import Archive
import Pipeline
import Postgres
import Repository

/// Where a cluster's objects live in the repository, under its policy name:
///
/// ```
/// <cluster>/lock                          run lock (backup, prune, drill)
/// <cluster>/cluster.json                  identity: system identifier, WAL segment size (sealed)
/// <cluster>/backups/<id>/manifest.json    the manifest, written last: it makes the backup exist
/// <cluster>/backups/<id>/<object>         the backup's data objects
/// <cluster>/wal/<TTTTTTTT>/<file>         archived WAL by timeline: segments, .partial,
///                                         .backup and .history files, under PostgreSQL's names
/// <cluster>/drills/<id>.json              one restore drill's record (`DrillRecord`)
/// <cluster>/runs/<id>.json               one command run's record, failed ones included, hash-chained
///                                         (`RunRecord`): the run history and audit log; never pruned
/// ```
public struct ClusterLayout: Sendable {
    public let cluster: String

    public init(cluster: String) { self.cluster = cluster }

    public var runLock: String { "\(cluster)/lock" }
    public var identity: String { "\(cluster)/cluster.json" }
    public var backupsPrefix: String { "\(cluster)/backups/" }
    public func backupPrefix(_ id: String) -> String { "\(backupsPrefix)\(id)/" }
    public func manifest(_ id: String) -> String { "\(backupPrefix(id))manifest.json" }
    public func object(_ id: String, _ name: String) -> String { "\(backupPrefix(id))\(name)" }

    public var drillsPrefix: String { "\(cluster)/drills/" }
    public var runsPrefix: String { "\(cluster)/runs/" }

    public var walPrefix: String { "\(cluster)/wal/" }
    public func walPrefix(timeline: UInt32) -> String { "\(walPrefix)\(WALFileName.history(timeline: timeline).description.prefix(8))/" }
    /// A WAL file's object: under the timeline it belongs to.
    public func wal(_ file: WALFileName) -> String { walPrefix(timeline: file.timeline) + file.description }
}

extension SealedRepository {
    /// Removes every object of a backup that did not finish (its manifest was
    /// never written), best effort: what cannot be removed now is garbage
    /// that prune clears later.
    func removeUnfinishedBackup(_ id: String, layout: ClusterLayout) {
        for object in (try? storage.list(prefix: layout.backupPrefix(id))) ?? [] {
            try? storage.delete(object.key)
        }
    }
}
