import Foundation

/// What a restore drill did and measured: stored sealed in the repository as
/// `<cluster>/drills/<id>.json`, printed by `lifeboat drill --json`, and read
/// by `lifeboat report`. JSON keys (times RFC 3339 UTC, durations in seconds):
///
/// ```json
/// {"format": 1, "id": "20261122T060000Z-8c1d", "cluster": "lms",
///  "backup_id": "20261122T033000Z-3fa2", "backup_type": "physical",
///  "started_at": "…", "finished_at": "…", "target": "end of archive",
///  "outcome": "passed", "passed": true, "error": null,
///  "rto_seconds": 41.2, "rto_target_seconds": 900,
///  "rpo_seconds": 0, "rpo_target_seconds": 300,
///  "rpo": {"basis": "measured", "recovered_to": "…", "last_source_commit": null,
///          "worst_case_seconds": 60, "worst_case": "archive_timeout is 1min", "detail": "…"},
///  "phases": [{"name": "fetch_decrypt_decompress", "seconds": 12.1}, …],
///  "checks": [{"name": "pg_amcheck", "passed": true, "detail": "…"}, …],
///  "runbooks": ["restore-latest-backup.md", "run-a-drill.md"],
///  "host": "db1", "lifeboat_version": "0.1.0", "server_version": "15.20"}
/// ```
///
/// `started_at` is the declared (simulated) disaster. The RTO is the wall time
/// from it to a verified, connectable database, and `phases` add up to it.
public struct DrillRecord: Codable, Sendable, Equatable {
    public static let formatVersion = 1

    /// How the drill ended.
    public enum Outcome: String, Codable, Sendable, CaseIterable {
        /// Restored, verified, and within both objectives.
        case passed
        /// Restored and verified, but over the RTO or RPO target.
        case objectivesMissed = "objectives_missed"
        /// Restored, but a verification check failed (amcheck, an SQL check, row counts).
        case checksFailed = "checks_failed"
        /// The drill could not restore a connectable database (`error` says why).
        case failed
    }

    /// One timed step of the recovery; the phases add up to the RTO.
    public struct Phase: Codable, Sendable, Equatable {
        /// `fetch_decrypt_decompress`, `restore`, `wal_replay` or `verification`.
        public var name: String
        public var seconds: Double

        public init(name: String, seconds: Double) {
            self.name = name
            self.seconds = seconds
        }
    }

    /// One verification of the restored database.
    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        public var passed: Bool
        public var detail: String

        public init(name: String, passed: Bool, detail: String) {
            self.name = name
            self.passed = passed
            self.detail = detail
        }
    }

    /// How the RPO figure was obtained (see runbooks/run-a-drill.md).
    public struct RPOMeasurement: Codable, Sendable, Equatable {
        public enum Basis: String, Codable, Sendable {
            /// Read from the source's WAL: exact.
            case measured
            /// The source's WAL could not be read; an upper bound.
            case bound
            /// The source could not be reached; not measured.
            case unknown
        }

        public var basis: Basis
        /// The moment the restored database reflects: the last transaction
        /// recovered (physical), or the dump's snapshot (logical).
        public var recoveredTo: Date?
        /// The last transaction the source committed before the disaster,
        /// when it is later than `recoveredTo`; nil when nothing was lost.
        public var lastSourceCommit: Date?
        /// The most the policy's schedule and archive settings can lose; nil when unbounded or unknown.
        public var worstCaseSeconds: Double?
        /// Why the worst case is what it is, in words.
        public var worstCase: String
        /// How the figure was measured, in words.
        public var detail: String

        public init(basis: Basis, recoveredTo: Date?, lastSourceCommit: Date?, worstCaseSeconds: Double?, worstCase: String, detail: String) {
            self.basis = basis
            self.recoveredTo = recoveredTo
            self.lastSourceCommit = lastSourceCommit
            self.worstCaseSeconds = worstCaseSeconds
            self.worstCase = worstCase
            self.detail = detail
        }

        enum CodingKeys: String, CodingKey {
            case basis, detail
            case recoveredTo = "recovered_to"
            case lastSourceCommit = "last_source_commit"
            case worstCaseSeconds = "worst_case_seconds"
            case worstCase = "worst_case"
        }
    }

    public var format: Int
    public var id: String
    public var cluster: String
    public var backupID: String?
    public var backupType: String?
    public var startedAt: Date
    public var finishedAt: Date
    /// `end of archive`, or the recovery target time (RFC 3339).
    public var target: String
    public var outcome: Outcome
    /// Why the drill failed, when `outcome` is `failed`.
    public var error: String?
    /// Nil when no connectable database was reached.
    public var rtoSeconds: Double?
    public var rtoTargetSeconds: Double?
    public var rpoSeconds: Double?
    public var rpoTargetSeconds: Double?
    public var rpo: RPOMeasurement?
    public var phases: [Phase]
    public var checks: [Check]
    /// The runbooks (file names under `runbooks/`) whose procedure the drill exercised.
    public var runbooks: [String]
    public var host: String
    public var lifeboatVersion: String
    public var serverVersion: String?

    /// Passed: restored, every check passed, and both objectives met.
    public var passed: Bool { outcome == .passed }

    /// Whether the RTO was within its target (nil without a target or a figure).
    public var rtoMet: Bool? {
        guard let rtoTargetSeconds else { return nil }
        guard let rtoSeconds else { return false }
        return rtoSeconds <= rtoTargetSeconds
    }

    /// Whether the RPO was within its target (nil without a target or a figure).
    public var rpoMet: Bool? {
        guard let rpoTargetSeconds, let rpoSeconds else { return nil }
        return rpoSeconds <= rpoTargetSeconds
    }

    public init(format: Int = DrillRecord.formatVersion, id: String, cluster: String, backupID: String?, backupType: String?,
                startedAt: Date, finishedAt: Date, target: String, outcome: Outcome, error: String?,
                rtoSeconds: Double?, rtoTargetSeconds: Double?, rpoSeconds: Double?, rpoTargetSeconds: Double?,
                rpo: RPOMeasurement?, phases: [Phase], checks: [Check], runbooks: [String],
                host: String, lifeboatVersion: String, serverVersion: String?) {
        self.format = format
        self.id = id
        self.cluster = cluster
        self.backupID = backupID
        self.backupType = backupType
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.target = target
        self.outcome = outcome
        self.error = error
        self.rtoSeconds = rtoSeconds
        self.rtoTargetSeconds = rtoTargetSeconds
        self.rpoSeconds = rpoSeconds
        self.rpoTargetSeconds = rpoTargetSeconds
        self.rpo = rpo
        self.phases = phases
        self.checks = checks
        self.runbooks = runbooks
        self.host = host
        self.lifeboatVersion = lifeboatVersion
        self.serverVersion = serverVersion
    }

    enum CodingKeys: String, CodingKey {
        case format, id, cluster, target, outcome, passed, error, rpo, phases, checks, runbooks, host
        case backupID = "backup_id"
        case backupType = "backup_type"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case rtoSeconds = "rto_seconds"
        case rtoTargetSeconds = "rto_target_seconds"
        case rpoSeconds = "rpo_seconds"
        case rpoTargetSeconds = "rpo_target_seconds"
        case lifeboatVersion = "lifeboat_version"
        case serverVersion = "server_version"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(Int.self, forKey: .format)
        id = try c.decode(String.self, forKey: .id)
        cluster = try c.decode(String.self, forKey: .cluster)
        backupID = try c.decodeIfPresent(String.self, forKey: .backupID)
        backupType = try c.decodeIfPresent(String.self, forKey: .backupType)
        startedAt = try c.decode(Date.self, forKey: .startedAt)
        finishedAt = try c.decode(Date.self, forKey: .finishedAt)
        target = try c.decode(String.self, forKey: .target)
        outcome = try c.decode(Outcome.self, forKey: .outcome)
        error = try c.decodeIfPresent(String.self, forKey: .error)
        rtoSeconds = try c.decodeIfPresent(Double.self, forKey: .rtoSeconds)
        rtoTargetSeconds = try c.decodeIfPresent(Double.self, forKey: .rtoTargetSeconds)
        rpoSeconds = try c.decodeIfPresent(Double.self, forKey: .rpoSeconds)
        rpoTargetSeconds = try c.decodeIfPresent(Double.self, forKey: .rpoTargetSeconds)
        rpo = try c.decodeIfPresent(RPOMeasurement.self, forKey: .rpo)
        phases = try c.decode([Phase].self, forKey: .phases)
        checks = try c.decode([Check].self, forKey: .checks)
        runbooks = try c.decodeIfPresent([String].self, forKey: .runbooks) ?? []
        host = try c.decode(String.self, forKey: .host)
        lifeboatVersion = try c.decode(String.self, forKey: .lifeboatVersion)
        serverVersion = try c.decodeIfPresent(String.self, forKey: .serverVersion)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(id, forKey: .id)
        try c.encode(cluster, forKey: .cluster)
        try c.encode(backupID, forKey: .backupID)
        try c.encode(backupType, forKey: .backupType)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(target, forKey: .target)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(passed, forKey: .passed)
        try c.encode(error, forKey: .error)
        try c.encode(rtoSeconds, forKey: .rtoSeconds)
        try c.encode(rtoTargetSeconds, forKey: .rtoTargetSeconds)
        try c.encode(rpoSeconds, forKey: .rpoSeconds)
        try c.encode(rpoTargetSeconds, forKey: .rpoTargetSeconds)
        try c.encode(rpo, forKey: .rpo)
        try c.encode(phases, forKey: .phases)
        try c.encode(checks, forKey: .checks)
        try c.encode(runbooks, forKey: .runbooks)
        try c.encode(host, forKey: .host)
        try c.encode(lifeboatVersion, forKey: .lifeboatVersion)
        try c.encode(serverVersion, forKey: .serverVersion)
    }
}
