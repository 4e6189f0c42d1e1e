import Foundation

/// Where the scheduled jobs find lifeboat and its files.
public struct ScheduleSetup: Sendable {
    /// Absolute path of the lifeboat executable the jobs run.
    public var executable: String
    /// Absolute path of the policy file the jobs read.
    public var policyFile: String
    /// Where scheduled drills write their reports; nil for the default,
    /// `/var/lib/lifeboat/<cluster>/drills`.
    public var reportDirectory: String?
    /// The file the check job writes Prometheus metrics to (`check --prometheus`), if any.
    public var prometheusFile: String?

    public init(executable: String, policyFile: String, reportDirectory: String? = nil, prometheusFile: String? = nil) {
        self.executable = executable
        self.policyFile = policyFile
        self.reportDirectory = reportDirectory
        self.prometheusFile = prometheusFile
    }
}

/// Everything a crontab or a set of systemd timers needs to run a policy's
/// scheduled jobs: the jobs with their command lines, the OS user they run as
/// (the PostgreSQL server's, like `archive_command`, as they share the
/// repository and the key file), the time zone, and the environment variables
/// that must come from a protected file — named, never valued.
public struct SchedulePlan: Sendable {
    public let cluster: String
    public let policyFile: String
    public let executable: String
    /// `postgres.os_user`.
    public let user: String
    /// The policy's `time_zone`, in which the cron lines are meant.
    public let timeZone: TimeZone
    /// Where the drill job writes its reports.
    public let reportDirectory: String
    /// In the policy's order: logical, physical, prune, drill, check, verify.
    public let jobs: [ScheduledJob]
    /// Variables the jobs read secrets from, which `environmentFile` must set:
    /// `encryption.passphrase_env` when no key file unlocks the repository
    /// without it, and the S3 credential variables the policy names.
    public let environmentVariables: [String]

    /// The time zone's tz database name; `UTC` where Foundation says `GMT`.
    public var timeZoneName: String {
        timeZone.identifier == "GMT" ? "UTC" : timeZone.identifier
    }

    /// `/etc/lifeboat/<cluster>.env` when the jobs need variables, else nil.
    public var environmentFile: String? {
        environmentVariables.isEmpty ? nil : "/etc/lifeboat/\(cluster).env"
    }

    /// The drill job's report directory when `--report-dir` is not given.
    public static func defaultReportDirectory(cluster: String) -> String {
        "/var/lib/lifeboat/\(cluster)/drills"
    }

    public init(policy: Policy, setup: ScheduleSetup) throws {
        let reportDirectory = setup.reportDirectory ?? Self.defaultReportDirectory(cluster: policy.name)
        var paths = [("lifeboat executable", setup.executable), ("policy file", setup.policyFile), ("drill report directory", reportDirectory)]
        if let prometheusFile = setup.prometheusFile { paths.append(("Prometheus file", prometheusFile)) }
        for (role, path) in paths where !path.hasPrefix("/") || path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ScheduleError.unusablePath(role: role, path: path)
        }
        let user = policy.postgres.osUser
        guard user.range(of: #"^[A-Za-z0-9_][A-Za-z0-9._-]*$"#, options: .regularExpression) != nil else {
            throw PolicyError(file: policy.file, line: nil, field: "postgres.os_user",
                              message: "'\(user)' is not a user name cron and systemd accept (letters, digits, '.', '_', '-')")
        }
        cluster = policy.name
        policyFile = setup.policyFile
        executable = setup.executable
        self.user = user
        timeZone = policy.timeZone
        self.reportDirectory = reportDirectory
        jobs = Self.jobs(policy.schedule, setup: setup, reportDirectory: reportDirectory)
        environmentVariables = try Self.secretVariables(of: policy)
    }

    /// Each scheduled job with its lifeboat arguments.
    private static func jobs(_ schedule: ScheduleSettings, setup: ScheduleSetup, reportDirectory: String) -> [ScheduledJob] {
        let policy = ["--policy", setup.policyFile]
        let entries: [(ScheduledJob.Kind, CronExpression?, [String])] = [
            (.logical, schedule.logical, ["backup"] + policy + ["--type", "logical"]),
            (.physical, schedule.physical, ["backup"] + policy + ["--type", "physical"]),
            (.prune, schedule.prune, ["prune"] + policy),
            (.drill, schedule.drill, ["drill"] + policy + ["--report-dir", reportDirectory]),
            (.check, schedule.check, ["check"] + policy + (setup.prometheusFile.map { ["--prometheus", $0] } ?? [])),
            (.verify, schedule.verify, ["verify"] + policy + ["--all"]),
        ]
        return entries.compactMap { kind, cron, arguments in cron.map { ScheduledJob(kind: kind, cron: $0, arguments: arguments) } }
    }

    /// The variables holding secrets that the jobs need, checked to be names an
    /// environment file can set.
    private static func secretVariables(of policy: Policy) throws -> [String] {
        var variables: [(field: String, name: String?)] = []
        if policy.encryption.keyFile == nil {
            variables.append(("encryption.passphrase_env", policy.encryption.passphraseEnv))
        }
        if let s3 = policy.repository.s3 {
            variables += [("repository.s3.access_key_env", s3.accessKeyEnv), ("repository.s3.secret_key_env", s3.secretKeyEnv),
                          ("repository.s3.session_token_env", s3.sessionTokenEnv)]
        }
        return try variables.compactMap { field, name in
            guard let name else { return nil }
            guard name.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else {
                throw PolicyError(file: policy.file, line: nil, field: field,
                                  message: "'\(name)' is not an environment variable name (letters, digits and '_', not first a digit)")
            }
            return name
        }
    }
}
