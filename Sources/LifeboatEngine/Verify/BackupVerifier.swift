import Foundation
import Pipeline
import Repository

/// `lifeboat verify`: reads every object of a backup, authenticates every chunk,
/// decompresses it, and checks its size and SHA-256 against the manifest.
public struct BackupVerifier {
    public let repository: SealedRepository
    public let layout: ClusterLayout
    public let progress: ProgressReporter

    public init(repository: SealedRepository, cluster: String, progress: ProgressReporter) {
        self.repository = repository
        layout = ClusterLayout(cluster: cluster)
        self.progress = progress
    }

    /// One object's verdict. `verify --json` prints these.
    public struct ObjectResult: Codable, Sendable, Equatable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    public struct BackupResult: Codable, Sendable, Equatable {
        public var id: String
        public var ok: Bool
        public var objects: [ObjectResult]
    }

    /// `{"ok": …, "backups": [{"id", "ok", "objects": [{"name", "ok", "detail"}]}]}`
    public struct Report: Codable, Sendable, Equatable {
        public var ok: Bool
        public var backups: [BackupResult]
    }

    public func verify(_ manifests: [BackupManifest]) -> Report {
        let results = manifests.map { manifest in
            let objects = manifest.objects.map { verify($0, in: manifest) }
            return BackupResult(id: manifest.id, ok: objects.allSatisfy(\.ok), objects: objects)
        }
        return Report(ok: results.allSatisfy(\.ok), backups: results)
    }

    func verify(_ object: BackupManifest.StoredObject, in manifest: BackupManifest) -> ObjectResult {
        let key = layout.object(manifest.id, object.name)
        progress.begin("verifying \(manifest.id)/\(object.name)", expectedBytes: object.plainBytes)
        defer { progress.end() }
        do {
            let stored = try repository.storage.stat(key)
            guard let stored else { throw StorageError.notFound(key: key) }
            let reader = try repository.openSealed(key)
            let summary = object.format == "directory"
                ? try TreePacking.unpack(from: reader, into: nil, progress: progress.advance(to:))
                : try StreamPacking.unpack(from: reader, to: { _ in }, progress: progress.advance(to:))
            if summary.plaintextBytes != object.plainBytes {
                return ObjectResult(name: object.name, ok: false, detail: "holds \(summary.plaintextBytes) bytes, the manifest says \(object.plainBytes)")
            }
            if summary.sha256 != object.sha256 {
                return ObjectResult(name: object.name, ok: false, detail: "SHA-256 \(summary.sha256) differs from the manifest's \(object.sha256)")
            }
            if stored.size != object.storedBytes {
                return ObjectResult(name: object.name, ok: false, detail: "stored size \(stored.size) differs from the manifest's \(object.storedBytes)")
            }
            return ObjectResult(name: object.name, ok: true, detail: "\(object.plainBytes) bytes, SHA-256 matches")
        } catch {
            return ObjectResult(name: object.name, ok: false, detail: error.localizedDescription)
        }
    }
}
