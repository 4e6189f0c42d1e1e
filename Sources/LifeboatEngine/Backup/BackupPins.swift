import Foundation
import Repository

/// Pinned backups are never pruned. A pin is a small sealed object beside the
/// manifest, `<cluster>/backups/<id>/pin` (`{"pinned_at": …, "by": "user@host"}`),
/// so that pinning never rewrites a manifest.
public struct BackupPins {
    public let repository: SealedRepository
    public let layout: ClusterLayout

    public init(repository: SealedRepository, cluster: String) {
        self.repository = repository
        layout = ClusterLayout(cluster: cluster)
    }

    struct Pin: Codable {
        var pinnedAt: Date
        var by: String
        enum CodingKeys: String, CodingKey {
            case by
            case pinnedAt = "pinned_at"
        }
    }

    func key(_ id: String) -> String { layout.object(id, "pin") }

    /// The ids of every pinned backup.
    public func pinned() throws -> Set<String> {
        Set(try repository.storage.list(prefix: layout.backupsPrefix).compactMap { object in
            guard object.key.hasSuffix("/pin") else { return nil }
            return object.key.dropFirst(layout.backupsPrefix.count).split(separator: "/").first.map(String.init)
        })
    }

    /// Pins an existing backup (pinning twice is fine).
    public func pin(_ id: String, now: Date) throws {
        _ = try BackupCatalog(repository: repository, cluster: layout.cluster).resolve(id)
        let by = "\(ProcessInfo.processInfo.userName)@\(ProcessInfo.processInfo.hostName)"
        try repository.putSealed(key(id), bytes: try RepositoryJSON.encode(Pin(pinnedAt: now, by: by)), mode: .replace)
    }

    /// Removes a pin; the backup is then pruned like any other.
    public func unpin(_ id: String) throws {
        _ = try BackupCatalog(repository: repository, cluster: layout.cluster).resolve(id)
        try repository.storage.delete(key(id))
    }
}
