import Foundation
import Postgres

/// One backup as retention sees it: only the facts the rules look at, so that
/// the planner needs no manifest and tests can make thousands of them cheaply.
///
/// WAL positions are absolute segment numbers on a single timeline (see
/// `ArchivedSegment` for that simplification).
public struct RetentionCandidate: Sendable, Hashable {
    public var id: String
    public var type: BackupManifest.BackupType
    /// When the backup started: calendar buckets and "newest" go by this time.
    public var startedAt: Date
    /// Physical backups: the earliest instant a recovery from it may stop at.
    public var consistentAt: Date?
    /// Physical backups: the WAL segments it needs to become consistent, first
    /// to last. Nil for logical backups, and for a physical backup whose
    /// segment names cannot be read: no WAL is deleted while such a backup is
    /// kept, and it never serves the recovery window.
    public var walSegments: ClosedRange<UInt64>?
    /// Pinned backups are never pruned.
    public var pinned: Bool

    public init(id: String, type: BackupManifest.BackupType, startedAt: Date, consistentAt: Date? = nil,
                walSegments: ClosedRange<UInt64>? = nil, pinned: Bool = false) {
        self.id = id
        self.type = type
        self.startedAt = startedAt
        self.consistentAt = consistentAt
        self.walSegments = walSegments
        self.pinned = pinned
    }

    /// The candidate for a backup's manifest; pinned when `pinned` holds its id.
    /// A physical backup's segment numbers are read from its `start_segment`
    /// and `stop_segment` with its own WAL segment size; their timelines are
    /// ignored.
    public init(_ manifest: BackupManifest, pinned: Set<String> = []) {
        var segments: ClosedRange<UInt64>?
        if manifest.type == .physical, let info = manifest.physical, info.walSegmentSize > 0,
           let start = WALFileName(info.startSegment), let stop = WALFileName(info.stopSegment),
           start.kind == .segment, stop.kind == .segment {
            let size = UInt64(info.walSegmentSize)
            let first = start.number(segmentSize: size)
            let last = stop.number(segmentSize: size)
            if first <= last { segments = first...last }
        }
        self.init(id: manifest.id, type: manifest.type, startedAt: manifest.startedAt,
                  consistentAt: manifest.type == .physical ? manifest.physical?.consistentAt : nil,
                  walSegments: segments, pinned: pinned.contains(manifest.id))
    }
}
