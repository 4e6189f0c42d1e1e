import Archive
import Foundation
import Postgres

/// One cluster's policy, loaded from its YAML file: what to back up, where to,
/// how it is sealed, how long it is kept, what recovery it must achieve, and
/// when each job runs. See `policies/reference.yaml` for every field.
public struct Policy: Sendable {
    /// The file it was loaded from, for messages.
    public var file: String
    /// Cluster name; the repository prefix. Lower-case letters, digits, `-`, `_`, `.`.
    public var name: String
    /// Time zone for calendar retention buckets and schedules.
    public var timeZone: TimeZone
    public var postgres: PostgresSettings
    public var repository: RepositorySettings
    public var compression: Compression
    public var encryption: EncryptionSettings
    /// Nil when the policy has no `retention` section: prune then keeps everything.
    public var retention: RetentionSettings?
    public var objectives: Objectives?
    public var schedule: ScheduleSettings
    public var drill: DrillSettings
}

/// `postgres:` — how to reach the cluster and what to back up.
public struct PostgresSettings: Sendable {
    /// Host name or socket directory; libpq's `PGHOST` and defaults when nil.
    public var host: String?
    public var port: Int?
    public var user: String?
    /// Databases for logical backups; globals are always included.
    public var databases: [String]
    public var dataDirectory: String?
    /// Where PostgreSQL's programs live; else `pg_config --bindir`, then `PATH`.
    public var binDirectory: String?
    /// `jobs` as written in the policy, nil when absent.
    public var jobsSetting: Int?
    /// `checkpoint: fast` asks the server for an immediate checkpoint at the
    /// start of a physical backup; `spread` (the default, like PostgreSQL's)
    /// waits for a paced one, which spares the server's I/O but can take minutes.
    public var fastCheckpoint: Bool
    /// How long a physical backup waits for the WAL that makes it consistent
    /// to reach the repository (`wal_wait`, default 60s) before giving up.
    public var walWait: PolicyDuration
    /// The OS user that runs the server and owns its files (`os_user`, default
    /// `postgres`): a physical restore run as root hands the data directory to it.
    public var osUser: String

    /// Parallel jobs for logical backups and restores (default 1): above 1,
    /// `pg_dump --format=directory --jobs` (compressed by pg_dump in a private
    /// temporary directory) and `pg_restore --jobs`.
    public var jobs: Int { jobsSetting ?? 1 }

    /// Compression workers of a physical backup, restore workers, WAL prefetch
    /// width: `jobs` when set, else every core.
    public var physicalJobs: Int { jobsSetting ?? max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Connection settings for the given database (the first listed one, else `postgres`).
    public func connection(database: String? = nil) -> ConnectionParameters {
        ConnectionParameters(host: host, port: port, user: user, database: database ?? databases.first ?? "postgres")
    }
}

/// `repository:` — where backups are stored.
public struct RepositorySettings: Sendable {
    public enum Location: Sendable, Equatable {
        /// An absolute directory path.
        case local(path: String)
        /// `s3://bucket/prefix`.
        case s3(bucket: String, prefix: String)
    }

    public var url: String
    public var location: Location
    public var s3: S3Settings?
}

/// `repository.s3:` — an S3-compatible endpoint. Credentials are named by
/// environment variable or credentials file, never written in the policy.
public struct S3Settings: Sendable {
    public var endpoint: String?
    public var region: String?
    public var accessKeyEnv: String?
    public var secretKeyEnv: String?
    public var sessionTokenEnv: String?
    /// A shared-credentials-format file (mode 0600) holding the keys: what
    /// `archive_command` and `restore_command` read, as they run with the
    /// server's environment. Excludes the `*_env` keys.
    public var credentialsFile: String?
    /// The profile to read from `credentialsFile`; nil for `default`.
    public var profile: String?
    /// `true` for path-style addressing (MinIO, Ceph, moto); virtual-hosted otherwise.
    public var pathStyle: Bool
}

/// `encryption:` — where the keys that unlock the repository come from. At least
/// one source; passphrases never appear in the policy itself.
public struct EncryptionSettings: Sendable {
    public var keyFile: String?
    public var passphraseEnv: String?
    public var passphraseCommand: String?

    public init(keyFile: String?, passphraseEnv: String?, passphraseCommand: String?) {
        self.keyFile = keyFile
        self.passphraseEnv = passphraseEnv
        self.passphraseCommand = passphraseCommand
    }
}

/// `retention:` — what prune keeps. Zero means the rule is off.
public struct RetentionSettings: Sendable {
    public var keepLast: Int
    public var keepHourly: Int
    public var keepDaily: Int
    public var keepWeekly: Int
    public var keepMonthly: Int
    public var keepYearly: Int
    public var recoveryWindow: PolicyDuration?

    public init(keepLast: Int = 0, keepHourly: Int = 0, keepDaily: Int = 0, keepWeekly: Int = 0, keepMonthly: Int = 0,
                keepYearly: Int = 0, recoveryWindow: PolicyDuration? = nil) {
        self.keepLast = keepLast
        self.keepHourly = keepHourly
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
        self.keepYearly = keepYearly
        self.recoveryWindow = recoveryWindow
    }
}

/// `objectives:` — the recovery targets drills are measured against.
public struct Objectives: Sendable {
    public var rto: PolicyDuration?
    public var rpo: PolicyDuration?
}

/// `schedule:` — when each job runs, as cron expressions.
public struct ScheduleSettings: Sendable {
    public var logical: CronExpression?
    public var physical: CronExpression?
    public var prune: CronExpression?
    public var drill: CronExpression?
    public var check: CronExpression?
    public var verify: CronExpression?
}

/// `drill:` — where drills run and what they check.
public struct DrillSettings: Sendable {
    public var workspace: String
    public var checks: [DrillCheck]

    public static let defaultWorkspace = "/var/tmp/lifeboat-drill"
}

/// One SQL check run against a restored database, with its expectation.
public struct DrillCheck: Sendable, Equatable {
    public var name: String
    public var sql: String
    public var expectation: Expectation
    /// The database to run it in; the policy's first database when nil.
    public var database: String?
}

/// What a check's single result value must satisfy: `>= 1`, `= 0`, `!= 0`, `< 100`,
/// compared as numbers when both sides are numbers, else as text (`= t`).
public struct Expectation: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case greaterOrEqual = ">=", lessOrEqual = "<=", notEqual = "!=", equal = "=", greater = ">", less = "<"
    }

    public var op: Operator
    public var value: String

    /// Parses `OP VALUE`; `==` is accepted as `=`.
    public init?(parsing text: String) {
        var rest = text.trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("==") { rest.removeFirst() }
        guard let op = Operator.allCases.first(where: { rest.hasPrefix($0.rawValue) }) else { return nil }
        let value = rest.dropFirst(op.rawValue.count).trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return nil }
        self.op = op
        self.value = value
    }

    public var description: String { "\(op.rawValue) \(value)" }

    /// Whether `actual` (a query result; nil is SQL NULL) meets the expectation.
    public func isMet(by actual: String?) -> Bool {
        guard let actual else { return false }
        if let a = Double(actual), let b = Double(value) {
            switch op {
            case .greaterOrEqual: return a >= b
            case .lessOrEqual: return a <= b
            case .notEqual: return a != b
            case .equal: return a == b
            case .greater: return a > b
            case .less: return a < b
            }
        }
        switch op {
        case .equal: return actual == value
        case .notEqual: return actual != value
        case .greaterOrEqual: return actual >= value
        case .lessOrEqual: return actual <= value
        case .greater: return actual > value
        case .less: return actual < value
        }
    }
}
