import Foundation
import LifeboatEngine
import Testing

extension RetentionPlanTests {
    /// Properties of the plan over a few hundred generated histories each.
    /// A failure names its seed; `RETENTION_SEED=<seed>` replays only that one.
    @Suite struct Properties {
        @Test func keptAndDeletedPartitionTheBackups() {
            check { history, _ in
                let plan = history.plan()
                let kept = plan.kept.map(\.backup.id)
                let deleted = plan.deleted.map(\.id)
                if (kept + deleted).sorted() != history.backups.map(\.id).sorted() { return "kept \(kept) and deleted \(deleted)" }
                if let bare = plan.kept.first(where: \.reasons.isEmpty) { return "\(bare.backup.id) is kept for no reason" }
                return nil
            }
        }

        @Test func pinnedAndNewestAreKept() {
            check { history, _ in
                let kept = Set(history.plan().kept.map(\.backup.id))
                if let pinned = history.backups.first(where: { $0.pinned && !kept.contains($0.id) }) { return "pinned \(pinned.id) deleted" }
                for type in BackupManifest.BackupType.allCases {
                    let ofType = history.backups.filter { $0.type == type }
                    guard let latest = ofType.map(\.startedAt).max() else { continue }
                    if !ofType.contains(where: { $0.startedAt == latest && kept.contains($0.id) }) { return "no newest \(type) backup kept" }
                }
                return nil
            }
        }

        @Test func keptPhysicalBackupsKeepTheirWAL() {
            check { history, _ in
                let plan = history.plan()
                let deleted = Set(plan.deletedWAL)
                for backup in plan.kept.map(\.backup) {
                    if let needed = backup.walSegments, needed.contains(where: deleted.contains) { return "WAL of \(backup.id) deleted" }
                }
                if let first = plan.walKeptFrom, let late = plan.deletedWAL.first(where: { $0 >= first }) { return "segment \(late) deleted" }
                return nil
            }
        }

        /// Every instant of the window the whole archive can recover to, the
        /// kept backups and WAL can too; with no gap in the WAL, that is every
        /// instant from the window's start (or the first consistent backup) to
        /// the last archived segment.
        @Test func everyInstantOfTheWindowStaysRecoverable() {
            check { history, _ in
                guard let window = history.settings.recoveryWindow else { return nil }
                let start = history.now.addingTimeInterval(-TimeInterval(window.seconds))
                let plan = history.plan()
                let deletedWAL = Set(plan.deletedWAL)
                let keptWAL = history.wal.filter { !deletedWAL.contains($0.number) }
                let before = Recoverability(backups: history.backups, wal: history.wal)
                let after = Recoverability(backups: plan.kept.map(\.backup), wal: keptWAL)
                let range = start...history.now
                for instant in before.probes(in: range) + after.probes(in: range) where before.covers(instant) && !after.covers(instant) {
                    return "\(instant) no longer recoverable"
                }
                let numbers = history.wal.map(\.number).sorted()
                guard let first = numbers.first, let last = numbers.last, last - first + 1 == UInt64(numbers.count),
                      let from = before.spans.map(\.from).min(), let end = history.wal.map(\.archivedAt).max(),
                      max(start, from) <= min(end, history.now) else { return nil }
                for instant in after.probes(in: max(start, from)...min(end, history.now)) where !after.covers(instant) {
                    return "\(instant) not recoverable although the WAL has no gap"
                }
                return nil
            }
        }

        @Test func pruningTwiceEqualsPruningOnce() {
            check { history, _ in
                let plan = history.plan()
                var pruned = history
                let kept = Set(plan.kept.map(\.backup.id))
                pruned.backups = history.backups.filter { kept.contains($0.id) }
                let deletedWAL = Set(plan.deletedWAL)
                pruned.wal = history.wal.filter { !deletedWAL.contains($0.number) }
                let again = pruned.plan()
                if !again.deleted.isEmpty { return "then deletes \(again.deleted.map(\.id))" }
                if !again.deletedWAL.isEmpty { return "then deletes WAL \(again.deletedWAL)" }
                return nil
            }
        }

        @Test func addingARuleNeverDeletesMore() {
            check { history, seed in
                var rng = SplitMix64(seed: ~seed)
                let wider = RetentionHistory.widened(history.settings, using: &rng)
                let narrow = history.plan()
                let wide = history.plan(wider)
                let keptWide = Set(wide.kept.map(\.backup.id))
                if let lost = narrow.kept.first(where: { !keptWide.contains($0.backup.id) }) {
                    return "\(lost.backup.id) deleted with \(wider)"
                }
                if !Set(wide.deletedWAL).isSubset(of: Set(narrow.deletedWAL)) { return "more WAL deleted with \(wider)" }
                return nil
            }
        }

        /// Runs `property` over generated histories (and their seeds); it returns what went wrong, or nil.
        private func check(_ property: (RetentionHistory, UInt64) -> String?, sourceLocation: SourceLocation = #_sourceLocation) {
            let replay = ProcessInfo.processInfo.environment["RETENTION_SEED"].flatMap { UInt64($0) }
            let seeds = replay.map { [$0] } ?? (0..<300).map { 0x5EED_0000 + UInt64($0) }
            for seed in seeds {
                let history = RetentionHistory.generate(seed: seed)
                if let failure = property(history, seed) {
                    Issue.record("seed \(seed) (replay with RETENTION_SEED=\(seed)): \(failure)\n  history: \(history)", sourceLocation: sourceLocation)
                    return
                }
            }
        }
    }
}
