import Foundation
import Postgres

/// What a drill has measured so far, turned into its `DrillRecord` at the end.
/// Phases are cut from one clock, each from the end of the previous one, so
/// they add up to the RTO exactly.
struct DrillState {
    let declaredAt: Date
    let clock: @Sendable () -> Date
    var backup: BackupManifest?
    var target = "end of archive"
    var phases: [DrillRecord.Phase] = []
    var checks: [DrillRecord.Check] = []
    var rpoSeconds: Double?
    var rpo: DrillRecord.RPOMeasurement?
    var serverVersion: String?
    /// When the database was verified and connectable; nil until then.
    var recoveredAt: Date?
    var error: Error?
    private var phaseStart: Date
    /// Seconds already given to a phase in the current stretch.
    private var allotted: [String: Double] = [:]

    init(declaredAt: Date, clock: @escaping @Sendable () -> Date) {
        self.declaredAt = declaredAt
        self.clock = clock
        phaseStart = declaredAt
    }

    /// Ends the current stretch of time: `seconds` of it go to each of
    /// `portions` (measured inside it), the rest to `name`.
    mutating func endPhase(_ name: String, portions: [String: Double] = [:]) {
        let now = clock()
        let elapsed = now.timeIntervalSince(phaseStart)
        let given = portions.values.reduce(0, +)
        for (portion, seconds) in portions.sorted(by: { $0.key < $1.key }) { add(portion, seconds) }
        add(name, max(0, elapsed - given))
        phaseStart = now
    }

    private mutating func add(_ name: String, _ seconds: Double) {
        if let index = phases.firstIndex(where: { $0.name == name }) {
            phases[index].seconds += seconds
        } else {
            phases.append(.init(name: name, seconds: seconds))
        }
    }

    /// The database is verified and connectable: the RTO stops here.
    mutating func recovered() { recoveredAt = phaseStart }

    func record(id: String, policy: Policy, finishedAt: Date) -> DrillRecord {
        let rto = recoveredAt.map { $0.timeIntervalSince(declaredAt) }
        let rtoTarget = policy.objectives?.rto.map { Double($0.seconds) }
        let rpoTarget = policy.objectives?.rpo.map { Double($0.seconds) }
        let outcome: DrillRecord.Outcome
        if error != nil || rto == nil {
            outcome = .failed
        } else if checks.contains(where: { !$0.passed }) {
            outcome = .checksFailed
        } else if let rto, let rtoTarget, rto > rtoTarget {
            outcome = .objectivesMissed
        } else if let rpoSeconds, let rpoTarget, rpoSeconds > rpoTarget {
            outcome = .objectivesMissed
        } else {
            outcome = .passed
        }
        var runbooks = ["restore-latest-backup.md", "whole-site-loss.md", "run-a-drill.md"]
        if target != "end of archive" { runbooks = ["point-in-time-recovery.md", "run-a-drill.md"] }
        return DrillRecord(id: id, cluster: policy.name, backupID: backup?.id, backupType: backup?.type.rawValue,
                           startedAt: declaredAt, finishedAt: finishedAt, target: target, outcome: outcome,
                           error: error.map { $0.localizedDescription }, rtoSeconds: rto, rtoTargetSeconds: rtoTarget,
                           rpoSeconds: rpoSeconds, rpoTargetSeconds: rpoTarget, rpo: rpo, phases: phases, checks: checks,
                           runbooks: runbooks, host: ProcessInfo.processInfo.hostName, lifeboatVersion: LifeboatVersion.current,
                           serverVersion: serverVersion)
    }
}
