import Foundation

/// What `lifeboat check` measured, for `--prometheus`: the newest backup of
/// each type, the last drill, WAL archiving lag, the repository's size.
public struct CheckMetrics: Sendable {
    public var lastBackups: [String: BackupManifest] = [:]
    public var lastDrill: DrillRecord?
    /// Completed WAL segments the server has not archived yet.
    public var walLagSegments: Int?
    /// How long the oldest of those has waited (0 when none waits).
    public var walLagSeconds: Double?
    public var walGaps: Int?
    public var repositoryBytes: Int64?

    public init() {}
}

/// Node exporter's textfile format (`--collector.textfile.directory`): every
/// metric prefixed `lifeboat_`, labelled with the cluster, written to a
/// temporary file and renamed so the collector never reads half of it.
public enum PrometheusTextfile {
    public static func render(_ metrics: CheckMetrics, report: CheckReport, policy: Policy, now: Date) -> String {
        var out: [String] = []
        let cluster = "cluster=\"\(escape(policy.name))\""
        func family(_ name: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            guard !samples.isEmpty else { return }
            out.append("# HELP lifeboat_\(name) \(help)")
            out.append("# TYPE lifeboat_\(name) gauge")
            for sample in samples { out.append("lifeboat_\(name){\(sample.labels)} \(format(sample.value))") }
        }
        let backups = metrics.lastBackups.sorted { $0.key < $1.key }
        func perType(_ value: (BackupManifest) -> Double) -> [(String, Double)] {
            backups.map { ("\(cluster),type=\"\($0.key)\"", value($0.value)) }
        }
        family("last_backup_timestamp_seconds", "Start of the newest backup of each type (Unix time).", perType { $0.startedAt.timeIntervalSince1970 })
        family("last_backup_size_bytes", "Bytes read by the newest backup of each type.", perType { Double($0.sizeBytes) })
        family("last_backup_stored_bytes", "Bytes the newest backup of each type takes in the repository.", perType { Double($0.storedBytes) })
        family("last_backup_duration_seconds", "Duration of the newest backup of each type.", perType { $0.duration })
        if let drill = metrics.lastDrill {
            family("last_drill_timestamp_seconds", "Start of the last restore drill (Unix time).", [(cluster, drill.startedAt.timeIntervalSince1970)])
            family("last_drill_passed", "1 when the last restore drill passed, else 0.", [(cluster, drill.passed ? 1 : 0)])
            if let rto = drill.rtoSeconds { family("last_drill_rto_seconds", "RTO the last restore drill measured.", [(cluster, rto)]) }
            if let rpo = drill.rpoSeconds { family("last_drill_rpo_seconds", "RPO the last restore drill measured.", [(cluster, rpo)]) }
        }
        if let rto = policy.objectives?.rto { family("rto_target_seconds", "The policy's RTO target.", [(cluster, Double(rto.seconds))]) }
        if let rpo = policy.objectives?.rpo { family("rpo_target_seconds", "The policy's RPO target.", [(cluster, Double(rpo.seconds))]) }
        if let lag = metrics.walLagSegments {
            family("wal_archive_lag_segments", "Completed WAL segments not archived yet.", [(cluster, Double(lag))])
        }
        if let lag = metrics.walLagSeconds {
            family("wal_archive_lag_seconds", "How long completed WAL has waited to be archived (0 when none waits).", [(cluster, lag)])
        }
        if let gaps = metrics.walGaps { family("wal_archive_gaps", "Gaps in the archived WAL.", [(cluster, Double(gaps))]) }
        if let bytes = metrics.repositoryBytes { family("repository_bytes", "Bytes the cluster takes in the repository.", [(cluster, Double(bytes))]) }
        let problems = report.findings.filter { $0.status == .problem }.count
        let warnings = report.findings.filter { $0.status == .warning }.count
        family("check_ok", "1 when lifeboat check found no problem, else 0.", [(cluster, report.ok ? 1 : 0)])
        family("check_problems", "Findings of lifeboat check that are problems.", [(cluster, Double(problems))])
        family("check_warnings", "Findings of lifeboat check that are warnings.", [(cluster, Double(warnings))])
        family("check_finding_ok", "Per check: 1 when ok, 0 when a warning or problem.",
               report.findings.map { ("\(cluster),check=\"\(escape($0.name))\"", $0.status == .ok ? 1 : 0) })
        family("check_timestamp_seconds", "When lifeboat check last ran (Unix time).", [(cluster, now.timeIntervalSince1970)])
        return out.joined(separator: "\n") + "\n"
    }

    /// Writes the file atomically, mode 0644: metrics hold no secrets and the
    /// collector runs as another user.
    public static func write(_ text: String, to path: String) throws {
        try AtomicFile.write(Array(text.utf8), to: path, mode: 0o644)
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.6f", value)
    }
}
