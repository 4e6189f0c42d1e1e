import Foundation
import Postgres
import Repository

/// The repository half of `lifeboat check`: the keys unlock it, it can be
/// written, each scheduled backup type has a backup younger than its schedule
/// allows, the newest backup's size is near the recent median, the last drill
/// is recent and passed, and the WAL archive has no gaps. Alongside, the facts
/// `check --prometheus` exports.
public struct RepositoryCheck {
    public let policy: Policy
    public let now: Date

    public init(policy: Policy, now: Date) {
        self.policy = policy
        self.now = now
    }

    public func run(into metrics: inout CheckMetrics) -> [Finding] {
        let repository: SealedRepository
        do {
            repository = try RepositoryAccess.unlock(policy)
        } catch {
            return [Finding(name: "repository keys", status: .problem, detail: error.localizedDescription,
                            hint: "check encryption.key_file (readable by this user, mode 0600) or the passphrase source in \(policy.file)")]
        }
        var findings = [Finding(name: "repository keys", status: .ok, detail: "unlocked with slot \(repository.unlockedSlot) at \(policy.repository.url)")]
        findings.append(writable(repository))
        do {
            let contents = try BackupCatalog(repository: repository, cluster: policy.name).contents()
            let backups = contents.backups
            for damaged in contents.damaged {
                findings.append(Finding(name: "backup \(damaged.id)", status: .problem, detail: "manifest cannot be read: \(damaged.reason)",
                                        hint: "restore another backup meanwhile; see runbooks/corrupted-repository.md"))
            }
            let runs = try RunHistory(repository: repository, cluster: policy.name).runs().filter { $0.command == "backup" }
            for type in BackupManifest.BackupType.allCases {
                let own = backups.filter { $0.type == type }
                if let last = own.last { metrics.lastBackups[type.rawValue] = last }
                findings += freshness(of: type, own)
                if let failed = lastRunFailed(runs.filter { $0.type == type.rawValue }) { findings.append(failed) }
                if let finding = sizeAnomaly(own) { findings.append(finding) }
            }
            findings.append(drill(try DrillHistory(repository: repository, cluster: policy.name).drills(), metrics: &metrics))
            findings += wal(repository, metrics: &metrics)
            metrics.repositoryBytes = try repository.storage.list(prefix: policy.name + "/").reduce(0) { $0 + $1.size }
        } catch {
            findings.append(Finding(name: "repository contents", status: .problem, detail: error.localizedDescription,
                                    hint: "run `lifeboat verify --all`; see runbooks/corrupted-repository.md"))
        }
        return findings
    }

    /// A small object written and removed again.
    func writable(_ repository: SealedRepository) -> Finding {
        let key = "\(policy.name)/check-\(ProcessInfo.processInfo.hostName)-\(getpid())"
        do {
            try repository.putSealed(key, bytes: Array("lifeboat check".utf8))
            try repository.storage.delete(key)
            return Finding(name: "repository writable", status: .ok, detail: "an object was written and removed")
        } catch {
            return Finding(name: "repository writable", status: .problem, detail: error.localizedDescription,
                           hint: "backups and WAL archiving will fail: check the repository's free space and permissions")
        }
    }

    /// How late a run may be: its schedule's longest gap, plus a tenth of it (at least an hour) for the run itself.
    static func allowance(_ schedule: CronExpression) -> TimeInterval {
        let gap = TimeInterval(schedule.longestGap.seconds)
        return gap + max(3600, gap / 10)
    }

    func freshness(of type: BackupManifest.BackupType, _ backups: [BackupManifest]) -> [Finding] {
        let name = "last \(type.rawValue) backup"
        guard let schedule = type == .logical ? policy.schedule.logical : policy.schedule.physical else {
            guard let last = backups.last else { return [] }
            return [Finding(name: name, status: .ok, detail: "\(last.id), \(age(last.startedAt)) ago (not scheduled)")]
        }
        guard let last = backups.last else {
            return [Finding(name: name, status: .problem, detail: "none: schedule.\(type.rawValue) is '\(schedule)' but the repository holds no \(type.rawValue) backup",
                            hint: "run `lifeboat backup --type \(type.rawValue)` and install the schedule (`lifeboat schedule`)")]
        }
        let allowed = Self.allowance(schedule)
        let elapsed = now.timeIntervalSince(last.startedAt)
        if elapsed > allowed {
            return [Finding(name: name, status: .problem,
                            detail: "\(last.id) started \(age(last.startedAt)) ago; schedule.\(type.rawValue) '\(schedule)' allows \(DurationFormat.string(allowed))",
                            hint: "the scheduled backup is not running or failing: check its cron job or timer and `lifeboat log`")]
        }
        return [Finding(name: name, status: .ok, detail: "\(last.id), \(age(last.startedAt)) ago, \(ByteFormat.string(last.sizeBytes)) in \(DurationFormat.string(last.duration))")]
    }

    /// The run history's newest backup run of a type, when it failed: the
    /// previous backup may still be fresh, but the schedule is now failing.
    func lastRunFailed(_ runs: [RunRecord]) -> Finding? {
        guard let last = runs.last, last.outcome == .failed else { return nil }
        return Finding(name: "last \(last.type ?? "") backup run", status: .problem,
                       detail: "failed \(age(last.startedAt)) ago (exit \(last.exitCode)): \(last.error ?? "no error recorded")",
                       hint: "fix the cause and run the backup again; `lifeboat log --command backup` shows the history")
    }

    /// The newest backup against the median of up to seven before it: half or double is worth a look.
    func sizeAnomaly(_ backups: [BackupManifest]) -> Finding? {
        guard let last = backups.last, backups.count >= 4 else { return nil }
        let previous = backups.dropLast().suffix(7).map(\.sizeBytes).sorted()
        let median = previous[previous.count / 2]
        guard median > 0 else { return nil }
        let ratio = Double(last.sizeBytes) / Double(median)
        let name = "\(last.type.rawValue) backup size"
        if ratio < 0.5 || ratio > 2 {
            return Finding(name: name, status: .warning,
                           detail: "\(last.id) is \(ByteFormat.string(last.sizeBytes)), \(String(format: "%.1f", ratio))× the median of the \(previous.count) before it (\(ByteFormat.string(median)))",
                           hint: "a database dropped, emptied or bloated? Compare `lifeboat list` with the server")
        }
        return Finding(name: name, status: .ok, detail: "\(ByteFormat.string(last.sizeBytes)), \(String(format: "%.2f", ratio))× the recent median")
    }

    func drill(_ drills: [DrillRecord], metrics: inout CheckMetrics) -> Finding {
        let name = "last drill"
        metrics.lastDrill = drills.last
        guard let last = drills.last else {
            let scheduled = policy.schedule.drill.map { " though schedule.drill is '\($0)'" } ?? ""
            return Finding(name: name, status: policy.schedule.drill == nil ? .warning : .problem,
                           detail: "no restore drill has run\(scheduled): nothing shows the backups restore within the objectives",
                           hint: "run `lifeboat drill` (runbooks/run-a-drill.md) and schedule it")
        }
        if !last.passed {
            return Finding(name: name, status: .problem, detail: "\(last.id), \(age(last.startedAt)) ago: \(last.outcome.rawValue)\(last.error.map { ": \($0)" } ?? "")",
                           hint: "read its report (`lifeboat report`), fix the cause and drill again")
        }
        if let schedule = policy.schedule.drill, now.timeIntervalSince(last.startedAt) > Self.allowance(schedule) {
            return Finding(name: name, status: .problem,
                           detail: "\(last.id) passed but ran \(age(last.startedAt)) ago; schedule.drill '\(schedule)' allows \(DurationFormat.string(Self.allowance(schedule)))",
                           hint: "the scheduled drill is not running: check its cron job or timer")
        }
        let rto = last.rtoSeconds.map { "RTO \(DurationFormat.precise($0))" } ?? ""
        return Finding(name: name, status: .ok, detail: "\(last.id) passed \(age(last.startedAt)) ago, \(rto)")
    }

    func wal(_ repository: SealedRepository, metrics: inout CheckMetrics) -> [Finding] {
        let archive = WALArchive(repository: repository, cluster: policy.name, compression: policy.compression)
        do {
            let entries = try archive.entries()
            guard entries.contains(where: { $0.file.kind == .segment }) else { return [] }
            let coverage = WALCoverage(entries: entries, segmentSize: try archive.segmentSize(), path: try archive.path(through: entries))
            metrics.walGaps = coverage.gaps.count
            if coverage.gaps.isEmpty {
                return [Finding(name: "wal archive", status: .ok, detail: "no gaps from \(coverage.first ?? "-") to \(coverage.last ?? "-")")]
            }
            return [Finding(name: "wal archive", status: .problem, detail: "gaps: \(coverage.gaps.map(\.description).joined(separator: "; "))",
                            hint: "point-in-time recovery cannot cross a gap: take a physical backup now, then find why segments were skipped")]
        } catch {
            return [Finding(name: "wal archive", status: .problem, detail: error.localizedDescription)]
        }
    }

    func age(_ date: Date) -> String { DurationFormat.string(max(0, now.timeIntervalSince(date))) }
}
