import Archive
import Foundation
import Yams

/// Reads policy files. Everything that is wrong is an error naming the file,
/// the line and the field — unknown fields included — never a silent default.
public enum PolicyLoader {
    /// The environment variable that names the policy when `--policy` is absent.
    public static let environmentVariable = "LIFEBOAT_POLICY"

    /// Loads and validates the policy at `path`.
    public static func load(path: String) throws -> Policy {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(validating: Array(data), as: UTF8.self) else {
                throw PolicyError(file: path, line: firstInvalidUTF8Line(Array(data)), field: nil,
                                  message: "is not UTF-8 text (binary bytes or another encoding); save it as UTF-8")
            }
            text = decoded
        } catch let error as PolicyError {
            throw error
        } catch {
            throw PolicyError(file: path, line: nil, field: nil, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// The 1-based line holding the first byte that is not valid UTF-8.
    static func firstInvalidUTF8Line(_ bytes: [UInt8]) -> Int {
        var line = 1, start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            if String(validating: bytes[start..<end], as: UTF8.self) == nil { return line }
            line += 1
            start = end + 1
        }
        return line
    }

    /// Parses policy text; `file` is used in messages.
    public static func parse(_ text: String, file: String) throws -> Policy {
        let root: Node
        do {
            // The basic resolver: every scalar stays text, which `PolicyNode` reads
            // itself; Yams' default resolver compiles regular expressions through
            // ICU, 3 MiB of resident tables for every command.
            guard let composed = try Yams.compose(yaml: text, .basic) else {
                throw PolicyError(file: file, line: nil, field: nil, message: "is empty; see policies/reference.yaml for the format")
            }
            root = composed
        } catch let error as PolicyError {
            throw error
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        }
        return try PolicyReader(root: PolicyNode(node: root, file: file, path: "")).read()
    }

    /// `^[a-z0-9][a-z0-9._-]*$`: lower-case letters, digits, '.', '_' and '-',
    /// not starting with punctuation.
    static func isClusterName(_ name: String) -> Bool {
        func allowed(_ byte: UInt8) -> Bool { (0x61...0x7a).contains(byte) || (0x30...0x39).contains(byte) }
        guard let first = name.utf8.first, allowed(first) else { return false }
        return name.utf8.allSatisfy { allowed($0) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d }
    }

    private static func yamlError(_ error: YamlError, file: String) -> PolicyError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return PolicyError(file: file, line: mark.line, field: nil, message: "not valid YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return PolicyError(file: file, line: context.mark.line, field: nil, message: "\(names) appears twice in the same mapping")
        case let .reader(problem, offset, value, yaml):
            // The offset counts characters; the line is one more than the line breaks before it.
            let line = offset.map { yaml.prefix($0).reduce(1) { $1 == "\n" || $1 == "\r\n" ? $0 + 1 : $0 } }
            let character = UInt32(exactly: value).map { String(format: " (U+%04X)", $0) } ?? ""
            return PolicyError(file: file, line: line ?? 1, field: nil, message: "not valid YAML: \(problem)\(character)")
        default:
            return PolicyError(file: file, line: nil, field: nil, message: "not valid YAML: \(error)")
        }
    }
}

/// Walks the document section by section.
private struct PolicyReader {
    let root: PolicyNode

    func read() throws -> Policy {
        let top = try root.mapping(allowed: [
            "name", "time_zone", "postgres", "repository", "compression", "encryption",
            "retention", "objectives", "schedule", "drill",
        ])
        let nameNode = try top.required("name")
        let name = try nameNode.string()
        guard name.count <= 63, PolicyLoader.isClusterName(name) else {
            throw nameNode.error("'\(name)' is not a valid cluster name: use lower-case letters, digits, '.', '_' and '-', at most 63 characters")
        }
        var timeZone = TimeZone.gmt
        if let zoneNode = top["time_zone"] {
            let identifier = try zoneNode.string()
            // Names of the tz database only: abbreviations and offsets (PST, UTC+1) mean
            // different things to different programs, and systemd timers refuse them.
            guard identifier == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(identifier),
                  let zone = TimeZone(identifier: identifier) else {
                throw zoneNode.error("'\(identifier)' is not a time zone name of the tz database (for example UTC or Europe/Berlin)")
            }
            timeZone = zone
        }
        let schedule = try top["schedule"].map(readSchedule) ?? ScheduleSettings()
        let postgres = try readPostgres(try top.required("postgres"))
        if schedule.logical != nil, postgres.databases.isEmpty, let node = top["schedule"] {
            throw node.error("schedule.logical is set but postgres.databases lists no database to dump")
        }
        let objectivesNode = top["objectives"]
        let objectives = try objectivesNode.map(readObjectives)
        if let objectives, let node = objectivesNode {
            try checkReachable(objectives, schedule: schedule, node: node)
        }
        return Policy(
            file: root.file,
            name: name,
            timeZone: timeZone,
            postgres: postgres,
            repository: try readRepository(try top.required("repository")),
            compression: try top["compression"].map(readCompression) ?? Compression(.zstd),
            encryption: try readEncryption(try top.required("encryption")),
            retention: try top["retention"].map(readRetention),
            objectives: objectives,
            schedule: schedule,
            drill: try top["drill"].map(readDrill) ?? DrillSettings(workspace: DrillSettings.defaultWorkspace, checks: [])
        )
    }

    func readPostgres(_ node: PolicyNode) throws -> PostgresSettings {
        let m = try node.mapping(allowed: ["host", "port", "user", "databases", "data_directory", "bin_dir", "jobs", "checkpoint", "os_user", "wal_wait"])
        var fastCheckpoint = false
        if let checkpoint = m["checkpoint"] {
            switch try checkpoint.string() {
            case "fast": fastCheckpoint = true
            case "spread": fastCheckpoint = false
            case let other: throw checkpoint.error("'\(other)' is not a checkpoint mode: use fast or spread")
            }
        }
        return PostgresSettings(
            host: try m["host"]?.string(),
            port: try m["port"]?.int(in: 1...65535),
            user: try m["user"]?.string(),
            databases: try m["databases"]?.stringList() ?? [],
            dataDirectory: try m["data_directory"]?.absolutePath(),
            binDirectory: try m["bin_dir"]?.absolutePath(),
            jobsSetting: try m["jobs"]?.int(in: 1...64),
            fastCheckpoint: fastCheckpoint,
            walWait: try m["wal_wait"]?.duration() ?? PolicyDuration(seconds: 60),
            osUser: try m["os_user"]?.string() ?? "postgres"
        )
    }

    func readRepository(_ node: PolicyNode) throws -> RepositorySettings {
        let m = try node.mapping(allowed: ["url", "s3"])
        let urlNode = try m.required("url")
        let url = try urlNode.string()
        let location: RepositorySettings.Location
        if url.hasPrefix("s3://") {
            let rest = url.dropFirst("s3://".count)
            let bucket = rest.prefix { $0 != "/" }
            guard !bucket.isEmpty else { throw urlNode.error("'\(url)' has no bucket; write s3://bucket/prefix") }
            let prefix = rest.dropFirst(bucket.count).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            location = .s3(bucket: String(bucket), prefix: prefix)
        } else if url.hasPrefix("/") {
            location = .local(path: url)
        } else {
            throw urlNode.error("'\(url)' is neither an absolute directory path nor an s3://bucket/prefix URL")
        }
        var s3: S3Settings?
        if let s3Node = m["s3"] {
            guard case .s3 = location else { throw s3Node.error("only applies to an s3:// repository url") }
            let s = try s3Node.mapping(allowed: ["endpoint", "region", "access_key_env", "secret_key_env", "session_token_env",
                                                 "credentials_file", "profile", "path_style"])
            s3 = S3Settings(
                endpoint: try s["endpoint"]?.string(),
                region: try s["region"]?.string(),
                accessKeyEnv: try s["access_key_env"]?.string(),
                secretKeyEnv: try s["secret_key_env"]?.string(),
                sessionTokenEnv: try s["session_token_env"]?.string(),
                credentialsFile: try s["credentials_file"]?.absolutePath(),
                profile: try s["profile"]?.string(),
                pathStyle: try s["path_style"]?.bool() ?? false
            )
            if let file = s["credentials_file"], let variable = ["access_key_env", "secret_key_env", "session_token_env"].first(where: { s[$0] != nil }) {
                throw file.error("set credentials_file or \(variable), not both: the keys come from one place")
            }
            if let profile = s["profile"], s["credentials_file"] == nil {
                throw profile.error("only applies with credentials_file (for ~/.aws/credentials, set AWS_PROFILE)")
            }
            if let endpoint = s3?.endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")), let e = s["endpoint"] {
                throw e.error("'\(endpoint)' must start with https:// or http://")
            }
        }
        return RepositorySettings(url: url, location: location, s3: s3)
    }

    func readCompression(_ node: PolicyNode) throws -> Compression {
        let m = try node.mapping(allowed: ["algorithm", "level", "threads"])
        var algorithm = Compression.Algorithm.zstd
        if let a = m["algorithm"] {
            let text = try a.string()
            guard let parsed = Compression.Algorithm(rawValue: text) else {
                throw a.error("'\(text)' is not supported; use one of \(Compression.Algorithm.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            algorithm = parsed
        }
        let level = try m["level"]?.int(in: algorithm.levels)
        let threads = try m["threads"]?.int(in: 0...64) ?? 0
        return Compression(algorithm, level: level, threads: threads)
    }

    func readEncryption(_ node: PolicyNode) throws -> EncryptionSettings {
        let m = try node.mapping(allowed: ["key_file", "passphrase_env", "passphrase_command"])
        let settings = EncryptionSettings(
            keyFile: try m["key_file"]?.absolutePath(),
            passphraseEnv: try m["passphrase_env"]?.string(),
            passphraseCommand: try m["passphrase_command"]?.string()
        )
        if settings.passphraseEnv != nil, settings.passphraseCommand != nil {
            throw node.error("set passphrase_env or passphrase_command, not both")
        }
        if settings.keyFile == nil, settings.passphraseEnv == nil, settings.passphraseCommand == nil {
            throw node.error("needs key_file, passphrase_env or passphrase_command: every repository is encrypted")
        }
        return settings
    }

    func readRetention(_ node: PolicyNode) throws -> RetentionSettings {
        let m = try node.mapping(allowed: ["keep_last", "keep_hourly", "keep_daily", "keep_weekly", "keep_monthly", "keep_yearly", "recovery_window"])
        let count = 0...Int.max
        return RetentionSettings(
            keepLast: try m["keep_last"]?.int(in: count) ?? 0,
            keepHourly: try m["keep_hourly"]?.int(in: count) ?? 0,
            keepDaily: try m["keep_daily"]?.int(in: count) ?? 0,
            keepWeekly: try m["keep_weekly"]?.int(in: count) ?? 0,
            keepMonthly: try m["keep_monthly"]?.int(in: count) ?? 0,
            keepYearly: try m["keep_yearly"]?.int(in: count) ?? 0,
            recoveryWindow: try m["recovery_window"]?.duration()
        )
    }

    func readObjectives(_ node: PolicyNode) throws -> Objectives {
        let m = try node.mapping(allowed: ["rto", "rpo"])
        return Objectives(rto: try m["rto"]?.duration(), rpo: try m["rpo"]?.duration())
    }

    func readSchedule(_ node: PolicyNode) throws -> ScheduleSettings {
        let m = try node.mapping(allowed: ["logical", "physical", "prune", "drill", "check", "verify"])
        return ScheduleSettings(
            logical: try m["logical"]?.cron(),
            physical: try m["physical"]?.cron(),
            prune: try m["prune"]?.cron(),
            drill: try m["drill"]?.cron(),
            check: try m["check"]?.cron(),
            verify: try m["verify"]?.cron()
        )
    }

    func readDrill(_ node: PolicyNode) throws -> DrillSettings {
        let m = try node.mapping(allowed: ["workspace", "checks"])
        let checks = try m["checks"]?.sequence().map { checkNode -> DrillCheck in
            let c = try checkNode.mapping(allowed: ["name", "sql", "expect", "database"])
            let expectNode = try c.required("expect")
            let text = try expectNode.string()
            guard let expectation = Expectation(parsing: text) else {
                throw expectNode.error("'\(text)' is not an expectation; write an operator and a value: '>= 1', '= 0', '!= 0', '= t'")
            }
            return DrillCheck(name: try c.required("name").string(), sql: try c.required("sql").string(), expectation: expectation,
                              database: try c["database"]?.string())
        } ?? []
        return DrillSettings(workspace: try m["workspace"]?.absolutePath() ?? DrillSettings.defaultWorkspace, checks: checks)
    }

    /// An RPO target the policy cannot meet is refused up front: without physical
    /// backups (and so without continuous WAL archiving), everything since the
    /// last logical backup is lost, so the RPO can be no tighter than the longest
    /// gap between scheduled logical backups.
    func checkReachable(_ objectives: Objectives, schedule: ScheduleSettings, node: PolicyNode) throws {
        guard let rpo = objectives.rpo, schedule.physical == nil, let logical = schedule.logical else { return }
        let gap = logical.longestGap
        if rpo < gap {
            let m = try node.mapping(allowed: ["rto", "rpo"])
            throw (m["rpo"] ?? node).error(
                "\(rpo) is tighter than this policy can give: with logical backups only, up to \(gap) of changes can be lost "
                    + "(schedule.logical '\(logical)'); schedule physical backups with WAL archiving, or raise the target")
        }
    }
}
