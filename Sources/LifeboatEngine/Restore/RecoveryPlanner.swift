import Foundation
import Postgres

/// Chooses the backup for a recovery target and proves, before anything is
/// written, that the archive can reach the target from it: the newest usable
/// backup consistent before the target, with every WAL segment from its start
/// to past the target archived. "Usable" means its own WAL (start to stop
/// segment) is in the archive on the path recovery follows, on the backup's
/// own timeline.
///
/// What WAL says is read from the segments themselves (`WALSegmentFacts`):
/// the last transaction reachable bounds time and LSN targets; transaction
/// ids and restore points are located by their records, and the backup is
/// chosen by the record's position.
public struct RecoveryPlanner {
    public let backups: [BackupManifest]
    public let archive: WALArchive
    /// The timeline to recover along; nil for the newest in the archive.
    public let timeline: UInt32?

    public init(backups: [BackupManifest], archive: WALArchive, timeline: UInt32? = nil) {
        self.backups = backups
        self.archive = archive
        self.timeline = timeline
    }

    public struct Plan: Sendable {
        public var backup: BackupManifest
        public var window: RecoveryWindow?
    }

    public func plan(_ target: RecoveryTarget, backup id: String?) throws -> Plan {
        var explicit: BackupManifest?
        if let id, id != "latest" {
            guard let named = backups.first(where: { $0.id == id }) else {
                throw BackupCatalog.UnknownBackup(id: id, cluster: archive.layout.cluster)
            }
            guard named.type == .physical, named.physical != nil else { throw PhysicalRestoreError.notPhysical(backup: id) }
            explicit = named
        }
        let physical = backups.filter { $0.type == .physical && $0.physical != nil }
        guard let newest = physical.last else { throw PhysicalRestoreError.noPhysicalBackup(cluster: archive.layout.cluster) }
        let path = try archive.path(through: try archive.entries(), timeline: timeline)
        let inspector = SegmentInspector(archive: archive, path: path)
        let usable = physical.filter { inspector.isUsable($0) }

        if let explicit, !inspector.isUsable(explicit) {
            throw PhysicalRestoreError.missingWAL(segments: inspector.missing(for: explicit), backup: explicit.id)
        }
        guard let oldest = usable.first, let latest = usable.last else {
            throw PhysicalRestoreError.missingWAL(segments: inspector.missing(for: newest), backup: newest.id)
        }
        let overall = try inspector.window(from: oldest, through: latest)
        func choose(_ fits: (BackupManifest) -> Bool, point: (BackupManifest) -> String, before: String) throws -> BackupManifest {
            if let explicit {
                guard fits(explicit) else {
                    throw PhysicalRestoreError.backupAfterTarget(backup: explicit.id, target: target.description, consistent: point(explicit))
                }
                return explicit
            }
            guard let chosen = usable.last(where: fits) else {
                throw PhysicalRestoreError.outsideWindow(target: target.description, reason: before, window: overall.description)
            }
            return chosen
        }
        let lsnPoint = { (backup: BackupManifest) in "LSN \(backup.stopLSN)" }

        let chosen: BackupManifest
        switch target {
        case .end, .immediate:
            chosen = explicit ?? latest
        case let .time(time):
            chosen = try choose({ ($0.physical?.consistentAt ?? .distantFuture) <= time },
                                point: { RecoveryTarget.format($0.physical?.consistentAt ?? $0.finishedAt) },
                                before: "it is before the oldest usable backup is consistent")
            let window = try inspector.window(from: oldest, through: chosen)
            guard let last = window.to, time < last else {
                throw PhysicalRestoreError.outsideWindow(target: target.description, reason: "no transaction ends after it in the archived WAL, "
                    + "so recovery could not tell it reached it (to recover everything archived, leave out the target)", window: window.description)
            }
            return Plan(backup: chosen, window: window)
        case let .lsn(lsn):
            chosen = try choose({ $0.stopLSN <= lsn }, point: lsnPoint, before: "it is before the oldest usable backup is consistent")
            let window = try inspector.window(from: oldest, through: chosen)
            guard lsn <= window.lastRecordLSN else {
                throw PhysicalRestoreError.outsideWindow(target: target.description, reason: "it is past the last complete record in the archived WAL",
                                                         window: window.description)
            }
            return Plan(backup: chosen, window: window)
        case let .xid(xid):
            guard let record = try inspector.findTransaction(UInt32(truncatingIfNeeded: xid), after: oldest) else {
                throw PhysicalRestoreError.outsideWindow(target: target.description,
                    reason: "it does not commit or abort in the WAL archived after the oldest usable backup", window: overall.description)
            }
            chosen = try choose({ $0.stopLSN <= record.lsn }, point: lsnPoint,
                                before: "it ends at LSN \(record.lsn), before the oldest usable backup is consistent")
        case let .name(name):
            guard let point = try inspector.findRestorePoint(name, after: oldest) else {
                throw PhysicalRestoreError.unknownRestorePoint(name: name, searched: "searched from backup \(oldest.id) to the end of the archive")
            }
            chosen = try choose({ $0.stopLSN <= point.lsn }, point: lsnPoint,
                                before: "it was made at LSN \(point.lsn), before the oldest usable backup is consistent")
            // Recovery stops at the first restore point of that name it replays, from the backup's start.
            let earlier = try inspector.restorePoints(name, from: chosen.startLSN, before: point.lsn)
            if let first = earlier.first {
                throw PhysicalRestoreError.ambiguousRestorePoint(name: name, first: "LSN \(first.lsn) at \(RecoveryTarget.format(first.time))",
                                                                 intended: "LSN \(point.lsn) at \(RecoveryTarget.format(point.time))")
            }
        }
        return Plan(backup: chosen, window: try inspector.window(from: oldest, through: chosen))
    }

    /// The window over all usable physical backups (nil when there is none).
    public func window() throws -> RecoveryWindow? {
        let physical = backups.filter { $0.type == .physical && $0.physical != nil }
        guard !physical.isEmpty else { return nil }
        let path = try archive.path(through: try archive.entries(), timeline: timeline)
        let inspector = SegmentInspector(archive: archive, path: path)
        let usable = physical.filter { inspector.isUsable($0) }
        guard let oldest = usable.first, let newest = usable.last else { return nil }
        return try inspector.window(from: oldest, through: newest)
    }
}

/// Reads archived segments for the planner (each at most once).
final class SegmentInspector {
    let archive: WALArchive
    let path: WALPath
    private var cache: [UInt64: WALSegmentFacts] = [:]

    init(archive: WALArchive, path: WALPath) {
        self.archive = archive
        self.path = path
    }

    func number(_ name: String) -> UInt64? {
        WALFileName(name)?.number(segmentSize: path.segmentSize)
    }

    func range(of backup: BackupManifest) -> ClosedRange<UInt64>? {
        guard let info = backup.physical, let start = number(info.startSegment), let stop = number(info.stopSegment), start <= stop else { return nil }
        return start...stop
    }

    /// Its WAL is archived, and recovery along the path reads it from the
    /// timelines the backup was taken on (a backup of a branch the path does
    /// not follow cannot be recovered along it).
    func isUsable(_ backup: BackupManifest) -> Bool {
        guard let info = backup.physical, let range = range(of: backup), let reach = path.reach(from: range.lowerBound),
              reach >= range.upperBound else { return false }
        return info.walRanges.allSatisfy { walRange in
            path.timeline(at: walRange.startLSN) == walRange.timeline
                && path.timeline(at: LSN(max(walRange.endLSN.value, 1) - 1)) == walRange.timeline
        }
    }

    func missing(for backup: BackupManifest) -> [String] {
        guard let range = range(of: backup) else { return [backup.physical?.startSegment ?? "?"] }
        let absent = range.filter { !path.isArchived($0) }.map { path.file($0).description }
        return absent.isEmpty ? ["(the backup's timeline \(backup.timeline) is not on the recovery path to timeline \(path.timeline))"] : absent
    }

    func facts(_ number: UInt64) throws -> WALSegmentFacts {
        if let cached = cache[number] { return cached }
        let facts = try archive.facts(of: path.file(number))
        cache[number] = facts
        return facts
    }

    /// From the oldest usable backup to the last transaction reachable from `chosen`.
    func window(from oldest: BackupManifest, through chosen: BackupManifest) throws -> RecoveryWindow {
        guard let range = range(of: chosen), let reach = path.reach(from: range.lowerBound) else {
            throw PhysicalRestoreError.missingWAL(segments: missing(for: chosen), backup: chosen.id)
        }
        var last: Date?
        var number = reach
        while number >= range.upperBound {
            if let transaction = try facts(number).transactions.last(where: { $0.lsn >= chosen.stopLSN }) {
                last = transaction.time
                break
            }
            if number == 0 { break }
            number -= 1
        }
        let end = try facts(reach)
        let start = path.file(reach).startLSN(segmentSize: path.segmentSize)
        return RecoveryWindow(from: oldest.physical?.consistentAt ?? oldest.finishedAt, fromLSN: oldest.stopLSN, fromBackup: oldest.id,
                              to: last, toLSN: end.endOfRecords ?? start, lastRecordLSN: end.lastRecordLSN ?? start)
    }

    /// The reachable segment numbers after `backup`'s start, newest first.
    private func numbersBackward(after backup: BackupManifest) -> [UInt64] {
        guard let range = range(of: backup), let reach = path.reach(from: range.lowerBound) else { return [] }
        return Array((range.lowerBound...reach).reversed())
    }

    /// The commit or abort of `xid` after `backup`'s end, searching back from the end of the archive.
    func findTransaction(_ xid: UInt32, after backup: BackupManifest) throws -> WALTransaction? {
        for number in numbersBackward(after: backup) {
            if let found = try facts(number).transactions.last(where: { $0.xid == xid && $0.lsn >= backup.stopLSN }) { return found }
        }
        return nil
    }

    /// The newest restore point called `name` after `backup`'s end, searching back from the end of the archive.
    func findRestorePoint(_ name: String, after backup: BackupManifest) throws -> WALRestorePoint? {
        for number in numbersBackward(after: backup) {
            if let found = try facts(number).restorePoints.last(where: { $0.name == name && $0.lsn >= backup.stopLSN }) { return found }
        }
        return nil
    }

    /// Restore points called `name` in `[from, before)`, oldest first.
    func restorePoints(_ name: String, from start: LSN, before end: LSN) throws -> [WALRestorePoint] {
        var found: [WALRestorePoint] = []
        let first = start.value / path.segmentSize
        let last = end.value / path.segmentSize
        for number in first...max(first, last) where path.isArchived(number) {
            found += try facts(number).restorePoints.filter { $0.name == name && $0.lsn >= start && $0.lsn < end }
        }
        return found
    }
}
