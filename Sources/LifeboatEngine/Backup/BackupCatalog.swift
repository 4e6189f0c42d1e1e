import Foundation
import Repository

/// The backups of one cluster, read from their manifests only (never from data).
public struct BackupCatalog {
    public let repository: SealedRepository
    public let layout: ClusterLayout

    public init(repository: SealedRepository, cluster: String) {
        self.repository = repository
        layout = ClusterLayout(cluster: cluster)
    }

    /// A backup the operator named that does not exist.
    public struct UnknownBackup: Error, LocalizedError {
        public let id: String
        public let cluster: String
        public var errorDescription: String? {
            id == "latest" ? "cluster \(cluster) has no backup yet" : "cluster \(cluster) has no backup \(id) (see `lifeboat list`)"
        }
    }

    /// Every complete backup, oldest first. A manifest that fails
    /// authentication is an integrity error, not a silently missing backup.
    public func backups() throws -> [BackupManifest] {
        let manifests = try repository.storage.list(prefix: layout.backupsPrefix).filter { $0.key.hasSuffix("/manifest.json") }
        return try manifests.map { info in
            try RepositoryJSON.decode(BackupManifest.self, from: try repository.getSealed(info.key, limit: 64 << 20))
        }.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }

    /// The backup with this id, or the newest for `latest` (optionally of one type).
    public func resolve(_ id: String, type: BackupManifest.BackupType? = nil) throws -> BackupManifest {
        let all = try backups().filter { type == nil || $0.type == type }
        if id == "latest", let newest = all.last { return newest }
        guard let found = all.first(where: { $0.id == id }) else { throw UnknownBackup(id: id, cluster: layout.cluster) }
        return found
    }
}
