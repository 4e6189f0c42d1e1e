import Archive
import Foundation
import Pipeline
import Postgres
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
        public init(name: String, ok: Bool, detail: String) { self.name = name; self.ok = ok; self.detail = detail }
    }

    public struct BackupResult: Codable, Sendable, Equatable {
        public var id: String
        public var ok: Bool
        public var objects: [ObjectResult]
        public init(id: String, ok: Bool, objects: [ObjectResult]) { self.id = id; self.ok = ok; self.objects = objects }
    }

    /// `{"ok": …, "backups": [{"id", "ok", "objects": [{"name", "ok", "detail"}]}],
    /// "wal": {"name": "wal archive", "ok", "detail"}}` — `wal` is the archive's
    /// continuity (no gaps between its first and last segment on each timeline).
    public struct Report: Codable, Sendable, Equatable {
        public var ok: Bool
        public var backups: [BackupResult]
        public var wal: ObjectResult?
    }

    /// Verifies the backups and, when there is archived WAL, its continuity.
    public func verify(_ manifests: [BackupManifest]) -> Report {
        var report = verifyBackups(manifests)
        let archive = WALArchive(repository: repository, cluster: layout.cluster, compression: .none)
        if let entries = try? archive.entries(), !entries.isEmpty {
            let size = (try? archive.segmentSize()) ?? 16 << 20
            let coverage = WALCoverage(entries: entries, segmentSize: size, path: try? archive.path(through: entries))
            let segments = coverage.timelines.reduce(0) { $0 + $1.segments }
            report.wal = coverage.gaps.isEmpty
                ? ObjectResult(name: "wal archive", ok: true, detail: "\(segments) segment(s) on \(coverage.timelines.count) timeline(s), no gaps")
                : ObjectResult(name: "wal archive", ok: false, detail: "missing WAL: " + coverage.gaps.map(\.description).joined(separator: ", "))
            report.ok = report.ok && coverage.gaps.isEmpty
        }
        return report
    }

    func verifyBackups(_ manifests: [BackupManifest]) -> Report {
        let results = manifests.map { manifest in
            var objects = manifest.objects.map { verify($0, in: manifest) }
            if manifest.type == .physical {
                objects.append(verifyFiles(of: manifest))
                objects.append(verifyWAL(of: manifest))
            }
            return BackupResult(id: manifest.id, ok: objects.allSatisfy(\.ok), objects: objects)
        }
        return Report(ok: results.allSatisfy(\.ok), backups: results, wal: nil)
    }

    /// Every file of a physical backup against its own SHA-256 (reported as the pseudo-object `files`).
    func verifyFiles(of manifest: BackupManifest) -> ObjectResult {
        progress.begin("verifying the files of \(manifest.id)", expectedBytes: manifest.objects.filter { $0.kind == .data }.reduce(0) { $0 + $1.plainBytes })
        defer { progress.end() }
        do {
            let physical = try PhysicalLayout.read(of: manifest, repository: repository, layout: layout)
            let bad = try PhysicalFileCheck(repository: repository, layout: layout).mismatches(in: manifest, files: physical, progress: progress.advance(to:))
            let count = physical.regularFileCount
            guard bad.isEmpty else {
                return ObjectResult(name: "files", ok: false, detail: "\(bad.count) of \(count) files differ from their SHA-256: \(bad.prefix(5).joined(separator: ", "))")
            }
            return ObjectResult(name: "files", ok: true, detail: "\(count) files, each SHA-256 matches")
        } catch {
            return ObjectResult(name: "files", ok: false, detail: error.localizedDescription)
        }
    }

    /// The WAL that makes a physical backup consistent is archived and authentic (pseudo-object `wal`).
    func verifyWAL(of manifest: BackupManifest) -> ObjectResult {
        guard let info = manifest.physical else { return ObjectResult(name: "wal", ok: false, detail: "the manifest has no physical section") }
        let size = UInt64(info.walSegmentSize)
        var missing: [String] = []
        var damaged: [String] = []
        var count = 0
        for range in info.walRanges {
            var segment = WALFileName.segment(timeline: range.timeline, containing: range.startLSN, segmentSize: size)
            let last = WALFileName.segment(timeline: range.timeline, containing: LSN(max(range.endLSN.value, 1) - 1), segmentSize: size)
            while segment <= last {
                count += 1
                do {
                    _ = try StreamPacking.unpack(from: try repository.openSealed(layout.wal(segment)), to: { _ in })
                } catch StorageError.notFound {
                    missing.append(segment.description)
                } catch {
                    damaged.append("\(segment): \(error.localizedDescription)")
                }
                segment = segment.next(segmentSize: size)
            }
        }
        if !missing.isEmpty { return ObjectResult(name: "wal", ok: false, detail: "missing WAL segment(s): \(missing.joined(separator: ", "))") }
        if !damaged.isEmpty { return ObjectResult(name: "wal", ok: false, detail: damaged.joined(separator: "; ")) }
        return ObjectResult(name: "wal", ok: true, detail: "\(count) WAL segment(s) \(info.startSegment)–\(info.stopSegment) archived and authentic")
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
                : try StreamPacking.unpack(from: reader, compression: Compression.Algorithm(rawValue: manifest.compression.algorithm),
                                            to: { _ in }, progress: progress.advance(to:))
            if summary.plaintextBytes != object.plainBytes {
                return ObjectResult(name: object.name, ok: false, detail: "holds \(summary.plaintextBytes) bytes, the manifest says \(object.plainBytes)")
            }
            if !object.sha256.isEmpty, summary.sha256 != object.sha256 {
                return ObjectResult(name: object.name, ok: false, detail: "SHA-256 \(summary.sha256) differs from the manifest's \(object.sha256)")
            }
            if stored.size != object.storedBytes {
                return ObjectResult(name: object.name, ok: false, detail: "stored size \(stored.size) differs from the manifest's \(object.storedBytes)")
            }
            let digest = object.sha256.isEmpty ? "every chunk authentic (its files are checked under `files`)" : "SHA-256 matches"
            return ObjectResult(name: object.name, ok: true, detail: "\(object.plainBytes) bytes, \(digest)")
        } catch {
            return ObjectResult(name: object.name, ok: false, detail: error.localizedDescription)
        }
    }
}
