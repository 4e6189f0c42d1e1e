import Foundation
import Postgres

/// Chooses the backup for a recovery target and proves, before anything is
/// written, that the archive can reach the target from it: the newest usable
/// backup consistent before the target, with every WAL segment from its start
/// to past the target archived. "Usable" means its own WAL (start to stop
/// segment) is in the archive on the path recovery follows.
///
/// What WAL says is read from the segments themselves (`WALSegmentFacts`):
/// the last transaction reachable bounds time, transaction-id and LSN targets;
/// restore points are found by name.
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
        guard let newest = physical.last, let newestInfo = newest.physical else {
            throw PhysicalRestoreError.noPhysicalBackup(cluster: archive.layout.cluster)
        }
        let path = try WALPath(entries: try archive.entries(), segmentSize: UInt64(newestInfo.walSegmentSize), timeline: timeline, history: archive.history)
        let inspector = SegmentInspector(archive: archive, path: path)
        let usable = physical.filter { inspector.isUsable($0) }

        if let explicit, !inspector.isUsable(explicit) {
            throw PhysicalRestoreError.missingWAL(segments: inspector.missing(for: explicit), backup: explicit.id)
        }
        guard let oldest = usable.first else {
            throw PhysicalRestoreError.missingWAL(segments: inspector.missing(for: newest), backup: newest.id)
        }
        let describe = { (chosen: BackupManifest) throws -> RecoveryWindow in try inspector.window(from: oldest, through: chosen) }

        let chosen: BackupManifest
        switch target {
        case .end, .immediate:
            chosen = explicit ?? usable[usable.count - 1]
        case let .time(time):
            chosen = try pick(explicit, usable, target, window: describe(usable[usable.count - 1]),
                              consistent: { $0.consistentAt <= time }, describe: { RecoveryTarget.format($0.consistentAt) },
                              before: "it is before the oldest usable backup is consistent")
            let window = try describe(chosen)
            guard let last = window.to, time < last else {
                throw PhysicalRestoreError.outsideWindow(target: target.description, reason: "no transaction ends after it in the archived WAL, "
                    + "so recovery could not tell it reached it (to recover everything archived, leave out the target)", window: window.description)
            }
            return Plan(backup: chosen, window: window)
        case let .lsn(lsn):
            chosen = try pick(explicit, usable, target, window: describe(usable[usable.count - 1]),
                              consistent: { _ in true }, describe: { _ in "" }, before: "it is before the oldest usable backup is consistent",
                              lsn: { $0.stopLSN <= lsn })
            let window = try describe(chosen)
            guard lsn < window.toLSN else {
                throw PhysicalRestoreError.outsideWindow(target: target.description, reason: "it is past the end of the archived WAL", window: window.description)
            }
            return Plan(backup: chosen, window: window)
        case let .xid(xid):
            chosen = try pick(explicit, usable, target, window: describe(usable[usable.count - 1]),
                              consistent: { $0.nextXID <= xid }, describe: { "transaction \($0.nextXID)" },
                              before: "it began before the oldest usable backup ended")
            let window = try describe(chosen)
            guard try inspector.findTransaction(UInt32(truncatingIfNeeded: xid), after: chosen) != nil else {
                throw PhysicalRestoreError.outsideWindow(target: target.description,
                    reason: "it does not commit or abort in the WAL archived after backup \(chosen.id)", window: window.description)
            }
            return Plan(backup: chosen, window: window)
        case let .name(name):
            guard let point = try inspector.findRestorePoint(name, after: oldest) else {
                throw PhysicalRestoreError.unknownRestorePoint(name: name, searched: "searched from backup \(oldest.id) to the end of the archive")
            }
            chosen = try pick(explicit, usable, target, window: describe(usable[usable.count - 1]),
                              consistent: { _ in true }, describe: { _ in "" }, before: "it was made before the oldest usable backup is consistent",
                              lsn: { $0.stopLSN <= point.lsn })
        }
        return Plan(backup: chosen, window: try describe(chosen))
    }

    /// The window over all usable physical backups (nil when there is none).
    public func window() throws -> RecoveryWindow? {
        let physical = backups.filter { $0.type == .physical && $0.physical != nil }
        guard let info = physical.last?.physical else { return nil }
        let path = try WALPath(entries: try archive.entries(), segmentSize: UInt64(info.walSegmentSize), timeline: timeline, history: archive.history)
        let inspector = SegmentInspector(archive: archive, path: path)
        let usable = physical.filter { inspector.isUsable($0) }
        guard let oldest = usable.first, let newest = usable.last else { return nil }
        return try inspector.window(from: oldest, through: newest)
    }

    /// The named backup after checking it, or the newest usable one that is consistent before the target.
    private func pick(_ explicit: BackupManifest?, _ usable: [BackupManifest], _ target: RecoveryTarget, window: RecoveryWindow,
                      consistent: (BackupManifest.PhysicalInfo) -> Bool, describe: (BackupManifest.PhysicalInfo) -> String,
                      before: String, lsn: (BackupManifest) -> Bool = { _ in true }) throws -> BackupManifest {
        func fits(_ backup: BackupManifest) -> Bool {
            guard let info = backup.physical else { return false }
            return consistent(info) && lsn(backup)
        }
        if let explicit {
            guard fits(explicit) else {
                let point = explicit.physical.map(describe).flatMap { $0.isEmpty ? nil : $0 } ?? "LSN \(explicit.stopLSN)"
                throw PhysicalRestoreError.backupAfterTarget(backup: explicit.id, target: target.description, consistent: point)
            }
            return explicit
        }
        guard let chosen = usable.last(where: fits) else {
            throw PhysicalRestoreError.outsideWindow(target: target.description, reason: before, window: window.description)
        }
        return chosen
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

    func isUsable(_ backup: BackupManifest) -> Bool {
        guard let range = range(of: backup), let reach = path.reach(from: range.lowerBound) else { return false }
        return reach >= range.upperBound
    }

    func missing(for backup: BackupManifest) -> [String] {
        guard let range = range(of: backup) else { return [backup.physical?.startSegment ?? "?"] }
        return range.filter { !path.isArchived($0) }.map { path.file($0).description }
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
        let end = try facts(reach).endOfRecords ?? path.file(reach).startLSN(segmentSize: path.segmentSize)
        return RecoveryWindow(from: oldest.physical?.consistentAt ?? oldest.finishedAt, fromLSN: oldest.stopLSN, fromBackup: oldest.id,
                              to: last, toLSN: end)
    }

    /// The commit or abort of `xid` after `backup`'s end, searching back from the end of the archive.
    func findTransaction(_ xid: UInt32, after backup: BackupManifest) throws -> WALTransaction? {
        guard let range = range(of: backup), let reach = path.reach(from: range.lowerBound) else { return nil }
        for number in stride(from: reach, through: range.upperBound, by: -1) {
            if let found = try facts(number).transactions.last(where: { $0.xid == xid && $0.lsn >= backup.stopLSN }) { return found }
        }
        return nil
    }

    /// The newest restore point called `name` after `backup`'s end, searching back from the end of the archive.
    func findRestorePoint(_ name: String, after backup: BackupManifest) throws -> WALRestorePoint? {
        guard let range = range(of: backup), let reach = path.reach(from: range.lowerBound) else { return nil }
        for number in stride(from: reach, through: range.upperBound, by: -1) {
            if let found = try facts(number).restorePoints.last(where: { $0.name == name && $0.lsn >= backup.stopLSN }) { return found }
        }
        return nil
    }
}
