import Foundation
import Pipeline
import Repository
import Seal

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

    /// A backup whose manifest exists but cannot be read: it failed
    /// authentication, is truncated, or is not a manifest. Its data may be
    /// intact, but nothing can be restored from it until the manifest is
    /// repaired from a copy. An integrity failure (exit code 5).
    public struct DamagedManifest: Error, LocalizedError, Sendable, Equatable {
        public let id: String
        public let object: String
        public let reason: String
        public var errorDescription: String? {
            "backup \(id) is damaged: its manifest \(object) cannot be read (\(reason)); restore another backup, "
                + "or put back the manifest from a copy of the repository (runbooks/corrupted-repository.md)"
        }
    }

    /// What the manifests say: the backups that can be read, oldest first,
    /// and those whose manifest is damaged.
    public struct Contents: Sendable {
        public var backups: [BackupManifest]
        public var damaged: [DamagedManifest]
    }

    /// Reads every manifest. One damaged manifest does not hide the other
    /// backups: it is returned in `damaged` (a storage failure still throws).
    public func contents() throws -> Contents {
        let manifests = try repository.storage.list(prefix: layout.backupsPrefix).filter { $0.key.hasSuffix("/manifest.json") }
        var backups: [BackupManifest] = []
        var damaged: [DamagedManifest] = []
        for info in manifests {
            let id = String(info.key.dropFirst(layout.backupsPrefix.count).dropLast("/manifest.json".count))
            do {
                let manifest = try RepositoryJSON.decode(BackupManifest.self, from: try repository.getSealed(info.key, limit: 64 << 20))
                guard manifest.id == id else {
                    damaged.append(DamagedManifest(id: id, object: info.key, reason: "it describes backup \(manifest.id)"))
                    continue
                }
                backups.append(manifest)
            } catch let error as SealedObjectError {
                damaged.append(DamagedManifest(id: id, object: info.key, reason: error.localizedDescription))
            } catch SealError.authenticationFailed {
                damaged.append(DamagedManifest(id: id, object: info.key, reason: "it failed authentication"))
            } catch is DecodingError {
                damaged.append(DamagedManifest(id: id, object: info.key, reason: "it is not a valid backup manifest"))
            } catch StorageError.notFound {
                continue // deleted by a prune between listing and reading
            }
        }
        return Contents(backups: backups.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) },
                        damaged: damaged.sorted { $0.id < $1.id })
    }

    /// Every backup whose manifest can be read, oldest first. Damaged manifests
    /// are left out (see `contents()`, which names them).
    public func backups() throws -> [BackupManifest] {
        try contents().backups
    }

    /// The backup with this id, or the newest for `latest` (optionally of one type).
    public func resolve(_ id: String, type: BackupManifest.BackupType? = nil) throws -> BackupManifest {
        let contents = try contents()
        if let damaged = contents.damaged.first(where: { $0.id == id }) { throw damaged }
        let all = contents.backups.filter { type == nil || $0.type == type }
        if id == "latest", let newest = all.last { return newest }
        guard let found = all.first(where: { $0.id == id }) else { throw UnknownBackup(id: id, cluster: layout.cluster) }
        return found
    }
}
