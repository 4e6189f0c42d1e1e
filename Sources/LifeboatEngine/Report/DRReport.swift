import Foundation

/// The quarterly disaster-recovery report (`lifeboat report`): everything the
/// renderers need, gathered from the repository — drill records, backup
/// manifests, run history, the WAL archive and the retention plan. It is also
/// the `--format json` document (keys below in snake_case).
public struct DRReport: Codable, Sendable {
    public var cluster: String
    public var period: ReportPeriod
    public var generatedAt: Date
    /// The policy's time zone identifier; dates are shown in it.
    public var timeZone: String
    public var rtoTargetSeconds: Double?
    public var rpoTargetSeconds: Double?
    /// Drills started in the period, oldest first.
    public var drills: [DrillRecord]
    /// This period and the ones before it (oldest first) for the trend chart.
    public var trendPeriods: [ReportPeriod]
    /// Every drill in `trendPeriods`, oldest first.
    public var trend: [TrendPoint]
    public var backups: BackupActivity
    public var wal: WALHealth
    public var retention: RetentionStatus
    /// What failed or needs attention, most serious first, each with what to do.
    public var findings: [ReportFinding]

    public init(cluster: String, period: ReportPeriod, generatedAt: Date, timeZone: String, rtoTargetSeconds: Double?,
                rpoTargetSeconds: Double?, drills: [DrillRecord], trendPeriods: [ReportPeriod], trend: [TrendPoint],
                backups: BackupActivity, wal: WALHealth, retention: RetentionStatus, findings: [ReportFinding]) {
        self.cluster = cluster
        self.period = period
        self.generatedAt = generatedAt
        self.timeZone = timeZone
        self.rtoTargetSeconds = rtoTargetSeconds
        self.rpoTargetSeconds = rpoTargetSeconds
        self.drills = drills
        self.trendPeriods = trendPeriods
        self.trend = trend
        self.backups = backups
        self.wal = wal
        self.retention = retention
        self.findings = findings
    }

    enum CodingKeys: String, CodingKey {
        case cluster, period, drills, trend, backups, wal, retention, findings
        case generatedAt = "generated_at"
        case timeZone = "time_zone"
        case rtoTargetSeconds = "rto_target_seconds"
        case rpoTargetSeconds = "rpo_target_seconds"
        case trendPeriods = "trend_periods"
    }
}

/// One drill on the trend chart.
public struct TrendPoint: Codable, Sendable, Equatable {
    public var drillID: String
    public var startedAt: Date
    public var rtoSeconds: Double?
    public var rpoSeconds: Double?
    public var passed: Bool

    public init(drillID: String, startedAt: Date, rtoSeconds: Double?, rpoSeconds: Double?, passed: Bool) {
        self.drillID = drillID
        self.startedAt = startedAt
        self.rtoSeconds = rtoSeconds
        self.rpoSeconds = rpoSeconds
        self.passed = passed
    }

    enum CodingKeys: String, CodingKey {
        case passed
        case drillID = "drill_id"
        case startedAt = "started_at"
        case rtoSeconds = "rto_seconds"
        case rpoSeconds = "rpo_seconds"
    }
}

/// Backups taken and failed in the period.
public struct BackupActivity: Codable, Sendable, Equatable {
    /// Per backup type (`logical`, `physical`).
    public struct Taken: Codable, Sendable, Equatable {
        public var type: String
        public var count: Int
        public var sizeBytes: Int64
        public var storedBytes: Int64
        public var medianSeconds: Double?
        public var last: Date?

        public init(type: String, count: Int, sizeBytes: Int64, storedBytes: Int64, medianSeconds: Double?, last: Date?) {
            self.type = type
            self.count = count
            self.sizeBytes = sizeBytes
            self.storedBytes = storedBytes
            self.medianSeconds = medianSeconds
            self.last = last
        }

        enum CodingKeys: String, CodingKey {
            case type, count, last
            case sizeBytes = "size_bytes"
            case storedBytes = "stored_bytes"
            case medianSeconds = "median_seconds"
        }
    }

    /// A backup run that did not produce a backup.
    public struct Failure: Codable, Sendable, Equatable {
        public var startedAt: Date
        public var type: String
        public var error: String

        public init(startedAt: Date, type: String, error: String) {
            self.startedAt = startedAt
            self.type = type
            self.error = error
        }

        enum CodingKeys: String, CodingKey {
            case type, error
            case startedAt = "started_at"
        }
    }

    public var taken: [Taken]
    public var failed: [Failure]

    public init(taken: [Taken], failed: [Failure]) {
        self.taken = taken
        self.failed = failed
    }
}

/// The WAL archive at report time, and what was archived in the period.
public struct WALHealth: Codable, Sendable, Equatable {
    public var segmentsInPeriod: Int
    public var storedBytesInPeriod: Int64
    public var firstSegment: String?
    public var lastSegment: String?
    public var lastArchivedAt: Date?
    /// Missing segments, as `from–to (n segments)`.
    public var gaps: [String]
    /// The point-in-time recovery window now, when there is one.
    public var recoverableFrom: Date?
    public var recoverableTo: Date?

    public init(segmentsInPeriod: Int, storedBytesInPeriod: Int64, firstSegment: String?, lastSegment: String?, lastArchivedAt: Date?,
                gaps: [String], recoverableFrom: Date?, recoverableTo: Date?) {
        self.segmentsInPeriod = segmentsInPeriod
        self.storedBytesInPeriod = storedBytesInPeriod
        self.firstSegment = firstSegment
        self.lastSegment = lastSegment
        self.lastArchivedAt = lastArchivedAt
        self.gaps = gaps
        self.recoverableFrom = recoverableFrom
        self.recoverableTo = recoverableTo
    }

    enum CodingKeys: String, CodingKey {
        case gaps
        case segmentsInPeriod = "segments_in_period"
        case storedBytesInPeriod = "stored_bytes_in_period"
        case firstSegment = "first_segment"
        case lastSegment = "last_segment"
        case lastArchivedAt = "last_archived_at"
        case recoverableFrom = "recoverable_from"
        case recoverableTo = "recoverable_to"
    }
}

/// Retention at report time: the rules, and what prune would do now.
public struct RetentionStatus: Codable, Sendable, Equatable {
    /// The policy's rules in words (`keep_last 3, keep_daily 7, recovery_window 7d`), or `keep everything`.
    public var rules: String
    public var backups: Int
    public var pinned: Int
    /// Backups the next prune would delete.
    public var prunable: Int
    public var oldestBackup: Date?
    public var newestBackup: Date?
    public var storedBytes: Int64

    public init(rules: String, backups: Int, pinned: Int, prunable: Int, oldestBackup: Date?, newestBackup: Date?, storedBytes: Int64) {
        self.rules = rules
        self.backups = backups
        self.pinned = pinned
        self.prunable = prunable
        self.oldestBackup = oldestBackup
        self.newestBackup = newestBackup
        self.storedBytes = storedBytes
    }

    enum CodingKeys: String, CodingKey {
        case rules, backups, pinned, prunable
        case oldestBackup = "oldest_backup"
        case newestBackup = "newest_backup"
        case storedBytes = "stored_bytes"
    }
}

/// Something in the report that failed or needs attention, and what to do about it.
public struct ReportFinding: Codable, Sendable, Equatable {
    public enum Severity: String, Codable, Sendable, Comparable {
        case problem, warning, info

        var rank: Int { self == .problem ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public var severity: Severity
    public var title: String
    public var detail: String
    public var action: String
    /// The runbook (file name under `runbooks/`) to follow, if one applies.
    public var runbook: String?

    public init(severity: Severity, title: String, detail: String, action: String, runbook: String?) {
        self.severity = severity
        self.title = title
        self.detail = detail
        self.action = action
        self.runbook = runbook
    }
}
