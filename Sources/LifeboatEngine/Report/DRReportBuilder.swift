import Foundation
import Postgres
import Repository

/// Gathers a `DRReport` for one period from the repository: drill records, the
/// backups taken (manifests) and failed (run history), the WAL archive, and
/// what prune would do now; then works out what needs attention.
public struct DRReportBuilder {
    public let policy: Policy
    public let repository: SealedRepository
    public let progress: ProgressReporter
    /// How many periods the trend chart shows, this one included.
    public var trendLength = 4

    public init(policy: Policy, repository: SealedRepository, progress: ProgressReporter) {
        self.policy = policy
        self.repository = repository
        self.progress = progress
    }

    public func make(period: ReportPeriod, now: Date) throws -> DRReport {
        let zone = policy.timeZone
        var trendPeriods = [period]
        while trendPeriods.count < trendLength, let first = trendPeriods.first { trendPeriods.insert(first.previous(timeZone: zone), at: 0) }
        let allDrills = try DrillHistory(repository: repository, cluster: policy.name).drills()
        let drills = allDrills.filter { period.contains($0.startedAt) }
        let trendStart = trendPeriods.first?.start ?? period.start
        let trend = allDrills.filter { $0.startedAt >= trendStart && $0.startedAt < period.end }.map {
            TrendPoint(drillID: $0.id, startedAt: $0.startedAt, rtoSeconds: $0.rtoSeconds, rpoSeconds: $0.rpoSeconds, passed: $0.passed)
        }
        let manifests = try BackupCatalog(repository: repository, cluster: policy.name).backups()
        let runs = try RunHistory(repository: repository, cluster: policy.name).runs()
        let backups = backupActivity(manifests.filter { period.contains($0.startedAt) },
                                     failed: runs.filter { $0.command == "backup" && $0.outcome == .failed && period.contains($0.startedAt) })
        let wal = try walHealth(period: period)
        let retention = try retentionStatus(manifests, now: now)
        var report = DRReport(cluster: policy.name, period: period, generatedAt: now, timeZone: zone.identifier,
                              rtoTargetSeconds: policy.objectives?.rto.map { Double($0.seconds) },
                              rpoTargetSeconds: policy.objectives?.rpo.map { Double($0.seconds) },
                              drills: drills, trendPeriods: trendPeriods, trend: trend, backups: backups, wal: wal,
                              retention: retention, findings: [])
        report.findings = ReportFindings.make(report, policy: policy, latestBackups: manifests, now: now)
        return report
    }

    func backupActivity(_ manifests: [BackupManifest], failed: [RunRecord]) -> BackupActivity {
        let taken = BackupManifest.BackupType.allCases.compactMap { type -> BackupActivity.Taken? in
            let own = manifests.filter { $0.type == type }
            guard !own.isEmpty else { return nil }
            let durations = own.map(\.duration).sorted()
            return .init(type: type.rawValue, count: own.count, sizeBytes: own.reduce(0) { $0 + $1.sizeBytes },
                         storedBytes: own.reduce(0) { $0 + $1.storedBytes }, medianSeconds: durations[durations.count / 2],
                         last: own.map(\.startedAt).max())
        }
        return BackupActivity(taken: taken, failed: failed.map { .init(startedAt: $0.startedAt, type: $0.type ?? "-", error: $0.error ?? "failed") })
    }

    func walHealth(period: ReportPeriod) throws -> WALHealth {
        let archive = WALArchive(repository: repository, cluster: policy.name, compression: policy.compression)
        let entries = try archive.entries()
        let segments = entries.filter { $0.file.kind == .segment }
        let inPeriod = segments.filter { period.contains($0.archivedAt) }
        let segmentSize = try archive.segmentSize()
        let path = segments.isEmpty ? nil : try archive.path(through: entries)
        let coverage = WALCoverage(entries: entries, segmentSize: segmentSize, path: path)
        let backups = try BackupCatalog(repository: repository, cluster: policy.name).backups()
        let window = (try? RecoveryPlanner(backups: backups, archive: archive).window()) ?? nil
        return WALHealth(segmentsInPeriod: inPeriod.count, storedBytesInPeriod: inPeriod.reduce(0) { $0 + $1.storedBytes },
                         firstSegment: coverage.first, lastSegment: coverage.last, lastArchivedAt: segments.map(\.archivedAt).max(),
                         gaps: coverage.gaps.map(\.description), recoverableFrom: window?.from, recoverableTo: window?.to)
    }

    func retentionStatus(_ manifests: [BackupManifest], now: Date) throws -> RetentionStatus {
        let outcome = try Pruner(policy: policy, repository: repository, progress: progress).run(now: now, dryRun: true)
        let pinned = try BackupPins(repository: repository, cluster: policy.name).pinned()
        let walBytes = try WALArchive(repository: repository, cluster: policy.name, compression: policy.compression).entries()
            .reduce(Int64(0)) { $0 + $1.storedBytes }
        return RetentionStatus(rules: Self.describe(policy.retention), backups: manifests.count,
                               pinned: manifests.filter { pinned.contains($0.id) }.count, prunable: outcome.plan.deleted.count,
                               oldestBackup: manifests.first?.startedAt, newestBackup: manifests.last?.startedAt,
                               storedBytes: manifests.reduce(0) { $0 + $1.storedBytes } + walBytes)
    }

    /// `keep_last 3, keep_daily 7, recovery_window 7d`.
    static func describe(_ retention: RetentionSettings?) -> String {
        guard let retention else { return "keep everything (no retention section)" }
        let rules = [("keep_last", retention.keepLast), ("keep_hourly", retention.keepHourly), ("keep_daily", retention.keepDaily),
                     ("keep_weekly", retention.keepWeekly), ("keep_monthly", retention.keepMonthly), ("keep_yearly", retention.keepYearly)]
            .filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" } + (retention.recoveryWindow.map { ["recovery_window \($0)"] } ?? [])
        return rules.isEmpty ? "the newest backup of each type" : rules.joined(separator: ", ")
    }
}
