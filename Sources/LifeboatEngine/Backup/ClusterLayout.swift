/// Where a cluster's objects live in the repository, under its policy name:
///
/// ```
/// <cluster>/lock                          run lock (backup, prune, drill)
/// <cluster>/backups/<id>/manifest.json    the manifest, written last: it makes the backup exist
/// <cluster>/backups/<id>/<object>         the backup's data objects
/// ```
public struct ClusterLayout: Sendable {
    public let cluster: String

    public init(cluster: String) { self.cluster = cluster }

    public var runLock: String { "\(cluster)/lock" }
    public var backupsPrefix: String { "\(cluster)/backups/" }
    public func backupPrefix(_ id: String) -> String { "\(backupsPrefix)\(id)/" }
    public func manifest(_ id: String) -> String { "\(backupPrefix(id))manifest.json" }
    public func object(_ id: String, _ name: String) -> String { "\(backupPrefix(id))\(name)" }
}
