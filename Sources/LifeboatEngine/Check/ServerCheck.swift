import Foundation
import Postgres

/// Checks that the cluster named in a policy is reachable and configured for
/// what the policy asks: WAL level and archiving for physical backups and
/// point-in-time recovery, an `archive_command` that hands segments to lifeboat
/// with this very policy, an `archive_timeout` within the RPO target, a healthy
/// archiver, the listed databases, and PostgreSQL programs of a fitting version.
public struct ServerCheck {
    public let policy: Policy
    /// Absolute path of the policy file, as an `archive_command` must name it.
    public let policyPath: String

    public init(policy: Policy) {
        self.policy = policy
        policyPath = URL(fileURLWithPath: policy.file).standardizedFileURL.path
    }

    /// Whether the policy needs WAL archiving (physical backups, PITR).
    var needsArchiving: Bool { policy.schedule.physical != nil || policy.postgres.dataDirectory != nil }

    public func run(now: Date, metrics: inout CheckMetrics) -> [Finding] {
        let parameters = policy.postgres.connection()
        let connection: PostgresConnection
        let facts: ServerFacts
        do {
            connection = try PostgresConnection(parameters)
            facts = try connection.serverFacts()
        } catch {
            return [Finding(
                name: "server reachable", status: .problem, detail: error.localizedDescription,
                hint: "check postgres.host, port and user in \(policy.file), PGPASSWORD or ~/.pgpass, and that the server is running"
            )]
        }
        var findings = [Finding(
            name: "server reachable", status: .ok,
            detail: "PostgreSQL \(facts.version) at \(parameters.displayTarget), system identifier \(facts.systemIdentifier)"
        )]
        findings += archiving(facts)
        if needsArchiving, let lag = archiveLag(connection, facts: facts, now: now, metrics: &metrics) { findings.append(lag) }
        findings.append(databases(connection))
        findings += programs(serverMajor: facts.majorVersion)
        return findings
    }

    /// Completed WAL files the archiver has not handed over yet, and how long
    /// the oldest has waited: a problem once that exceeds the RPO target (an
    /// idle server with nothing to archive is fine, however old its last
    /// archived segment). Read from `pg_wal/archive_status` (`.ready` files,
    /// through `pg_ls_archive_statusdir()`: superuser or `pg_monitor`); else
    /// estimated from the current segment and the last archived one.
    func archiveLag(_ connection: PostgresConnection, facts: ServerFacts, now: Date, metrics: inout CheckMetrics) -> Finding? {
        guard !facts.inRecovery else { return nil }
        let pending: Int
        let waited: Double
        if let row = try? connection.query("""
            SELECT count(*)::text, extract(epoch FROM min(modification))::text
              FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'
            """).rows.first, let count = row[0].flatMap({ Int($0) }) {
            pending = count
            waited = row[1].flatMap { Double($0) }.map { max(0, now.timeIntervalSince1970 - $0) } ?? 0
        } else if let current = try? connection.query("SELECT pg_walfile_name(pg_current_wal_lsn())").scalar().flatMap(WALFileName.init),
                  let last = facts.archiver.lastArchivedWAL.flatMap(WALFileName.init), last.kind != .timelineHistory {
            let size = facts.walSegmentSize
            let behind = Int(current.number(segmentSize: size)) - Int(last.number(segmentSize: size)) - (last.kind == .segment ? 1 : 0)
            pending = last.timeline == current.timeline ? max(0, behind) : 1
            waited = pending == 0 ? 0 : max(0, now.timeIntervalSince(facts.archiver.lastArchivedTime ?? now))
        } else {
            return nil
        }
        metrics.walLagSegments = pending
        metrics.walLagSeconds = waited
        guard pending > 0 else {
            let last = facts.archiver.lastArchivedTime.map { ", the last \(DurationFormat.string(max(0, now.timeIntervalSince($0)))) ago" } ?? ""
            return Finding(name: "archive lag", status: .ok, detail: "every completed WAL file is archived\(last)")
        }
        let detail = "\(pending) completed WAL file(s) not archived, the oldest waiting \(DurationFormat.string(waited))"
        if let rpo = policy.objectives?.rpo, waited > Double(rpo.seconds) {
            return Finding(name: "archive lag", status: .problem, detail: detail + ", longer than the RPO target of \(rpo)",
                           hint: "archiving is stuck or too slow: read the PostgreSQL log for the archive_command's error")
        }
        return Finding(name: "archive lag", status: pending > 16 ? .warning : .ok, detail: detail,
                       hint: pending > 16 ? "archiving falls behind: check the repository's speed and the archiver" : nil)
    }

    func archiving(_ facts: ServerFacts) -> [Finding] {
        guard needsArchiving else {
            return [Finding(name: "wal archiving", status: .ok, detail: "not required: the policy schedules logical backups only")]
        }
        var findings: [Finding] = []
        let walOK = facts.walLevel == "replica" || facts.walLevel == "logical"
        findings.append(Finding(
            name: "wal_level", status: walOK ? .ok : .problem, detail: "is \(facts.walLevel)",
            hint: walOK ? nil : "set wal_level = replica in postgresql.conf and restart PostgreSQL"
        ))
        let modeOK = facts.archiveMode == "on" || facts.archiveMode == "always"
        findings.append(Finding(
            name: "archive_mode", status: modeOK ? .ok : .problem, detail: "is \(facts.archiveMode)",
            hint: modeOK ? nil : "set archive_mode = on in postgresql.conf and restart PostgreSQL"
        ))
        findings.append(archiveCommand(facts.archiveCommand))
        findings.append(archiveTimeout(facts.archiveTimeoutSeconds))
        findings.append(archiver(facts.archiver))
        return findings
    }

    /// The command line an operator should configure.
    public var expectedArchiveCommand: String { "lifeboat wal-push --policy \(policyPath) %p" }

    func archiveCommand(_ command: String) -> Finding {
        let words = command.split(separator: " ").map(String.init)
        // Named lifeboat, or any path to this very executable (a copy or link under another name).
        let this = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let runsLifeboat = words.contains { word in
            word == "lifeboat" || word.hasSuffix("/lifeboat")
                || (word.hasPrefix("/") && this != nil && URL(fileURLWithPath: word).resolvingSymlinksInPath().path == this)
        }
        let pushes = words.contains("wal-push")
        let namesPolicy = words.contains { $0 == policyPath || $0 == "--policy=\(policyPath)" }
            || command.contains("\(PolicyLoader.environmentVariable)=\(policyPath)")
        let passesPath = words.contains("%p")
        if runsLifeboat, pushes, namesPolicy, passesPath {
            return Finding(name: "archive_command", status: .ok, detail: "runs lifeboat wal-push with this policy")
        }
        var missing: [String] = []
        if !runsLifeboat || !pushes { missing.append("does not run lifeboat wal-push") }
        if !namesPolicy { missing.append("does not name \(policyPath)") }
        if !passesPath { missing.append("does not pass %p") }
        let shown = command.isEmpty ? "is empty" : "'\(command)' \(missing.joined(separator: ", "))"
        return Finding(name: "archive_command", status: .problem, detail: shown,
                       hint: "set archive_command = '\(expectedArchiveCommand)' and reload PostgreSQL")
    }

    func archiveTimeout(_ seconds: Int) -> Finding {
        guard let rpo = policy.objectives?.rpo else {
            return Finding(name: "archive_timeout", status: .ok, detail: seconds == 0 ? "is off (no RPO target in the policy)" : "is \(seconds)s")
        }
        if seconds == 0 {
            return Finding(name: "archive_timeout", status: .problem,
                           detail: "is off: on a quiet server a partly filled WAL segment can wait indefinitely, beyond the RPO target of \(rpo)",
                           hint: "set archive_timeout to at most \(rpo.seconds)s (for example \(min(rpo.seconds, 60))s) and reload PostgreSQL")
        }
        if seconds > rpo.seconds {
            return Finding(name: "archive_timeout", status: .problem,
                           detail: "is \(seconds)s, longer than the RPO target of \(rpo): up to \(seconds)s of commits may wait unarchived",
                           hint: "set archive_timeout to at most \(rpo.seconds)s and reload PostgreSQL")
        }
        return Finding(name: "archive_timeout", status: .ok, detail: "is \(seconds)s, within the RPO target of \(rpo)")
    }

    func archiver(_ status: ArchiverStatus) -> Finding {
        let formatter = ISO8601DateFormatter()
        if let failed = status.lastFailedTime, status.lastArchivedTime.map({ failed > $0 }) ?? true {
            return Finding(name: "archiver", status: .problem,
                           detail: "archiving is failing: \(status.failedCount) failures, last for \(status.lastFailedWAL ?? "?") at \(formatter.string(from: failed))",
                           hint: "read the PostgreSQL log for the archive_command's error")
        }
        let last = status.lastArchivedWAL.map { ", last \($0)" } ?? ""
        return Finding(name: "archiver", status: .ok, detail: "\(status.archivedCount) segments archived\(last), \(status.failedCount) failures")
    }

    func databases(_ connection: PostgresConnection) -> Finding {
        let wanted = policy.postgres.databases
        guard !wanted.isEmpty else {
            return Finding(name: "databases", status: .ok, detail: "none listed for logical backups")
        }
        do {
            let present = Set(try connection.query("SELECT datname FROM pg_database WHERE datallowconn").rows.compactMap { $0[0] })
            let missing = wanted.filter { !present.contains($0) }
            if missing.isEmpty {
                return Finding(name: "databases", status: .ok, detail: "all \(wanted.count) present: \(wanted.joined(separator: ", "))")
            }
            return Finding(name: "databases", status: .problem, detail: "missing on the server: \(missing.joined(separator: ", "))",
                           hint: "create them or remove them from postgres.databases in \(policy.file)")
        } catch {
            return Finding(name: "databases", status: .problem, detail: error.localizedDescription)
        }
    }

    func programs(serverMajor: Int) -> [Finding] {
        var names: [String] = []
        if !policy.postgres.databases.isEmpty { names += ["pg_dump", "pg_dumpall", "pg_restore"] }
        if needsArchiving { names.append("pg_basebackup") }
        let tools = PostgresPrograms(binDirectory: policy.postgres.binDirectory)
        return names.map { name in
            do {
                let path = try tools.checked(name, serverMajor: serverMajor)
                return Finding(name: name, status: .ok, detail: "found at \(path)")
            } catch {
                return Finding(name: name, status: .problem, detail: error.localizedDescription)
            }
        }
    }
}
