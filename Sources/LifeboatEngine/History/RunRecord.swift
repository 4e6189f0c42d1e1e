import Foundation
import Repository

/// One run of a lifeboat command that acts on the repository or the cluster —
/// `backup`, `restore`, `verify`, `prune`, `pin`, `unpin`, `key add|remove|rotate|retire`,
/// `drill`, `init` — successful or not: the run history that `check` and
/// `report` read, and the audit log that `lifeboat log` shows.
///
/// Stored sealed as `<cluster>/runs/<id>.json`, created once and never
/// replaced; prune never deletes one. `<id>` is `<written>-<command>-<random>`:
/// the time the record was written (UTC, milliseconds), the command with
/// dashes for spaces, 4 random hex digits — `20261122T020133.520Z-backup-3f9c`,
/// `20261122T050002.004Z-key-rotate-09ab` — so that names sort in the order the
/// records were written. Every key is always present (`null` when unknown):
///
/// ```json
/// {"id": "20261122T020133.520Z-backup-3f9c", "command": "backup", "type": "physical",
///  "target": "backup 20261122T020000Z-1a2b", "arguments": ["backup", "--type", "physical", "--policy", "/etc/lifeboat/lms.yaml"],
///  "dry_run": false, "started_at": "2026-11-22T02:00:00.012345Z", "finished_at": "2026-11-22T02:01:33.520000Z",
///  "duration": 93.507655, "outcome": "succeeded", "exit_code": 0, "error": null,
///  "backup_id": "20261122T020000Z-1a2b", "drill_id": null, "size_bytes": 1048576, "stored_bytes": 312345, "details": null,
///  "user": "postgres", "host": "db1", "pid": 4242, "lifeboat_version": "0.1.0",
///  "previous": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
///  "previous_id": "20261122T011500.002Z-verify-77c1", "merged": []}
/// ```
///
/// `outcome` is `succeeded` exactly when `exit_code` is 0; `error` says why a
/// run failed (for a non-zero status without an error — a verify that found
/// damage, a drill that missed an objective — what the command concluded).
/// `arguments` is the command line after the program name, with the value of
/// `--passphrase-command` replaced by `(not recorded)`; no environment value
/// is ever recorded. `user` is the effective OS user, `host` the host name.
///
/// The records of a cluster form a hash chain: `previous` is the SHA-256 (hex)
/// of the plaintext of the record the writer saw as the newest (`previous_id`
/// its name, for messages); `null` for the first record. Two runs that finish
/// at the same moment may both follow the same record (a fork); the next run
/// follows the newest of them and lists the others in `merged`
/// (`[{"id", "sha256"}]`), so that every record but the newest is vouched for by
/// a later one. See `RunChain` for what verification concludes.
///
/// Records written before the chain existed lack `id`, `previous` and the
/// other newer keys; they read as chain starts named after their object.
public struct RunRecord: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable { case succeeded, failed }

    /// A record this one vouches for: its name and the SHA-256 of its plaintext.
    public struct Link: Codable, Sendable, Equatable {
        public var id: String
        public var sha256: String

        public init(id: String, sha256: String) {
            self.id = id
            self.sha256 = sha256
        }
    }

    public var id: String
    public var command: String
    /// The kind of backup (`logical`, `physical`) a backup, restore or drill dealt with.
    public var type: String?
    /// What the run acted on: `backup <id>`, `database <name>`, `data directory <dir>`, `key generation 3`…
    public var target: String?
    public var arguments: [String]
    /// A prune that only planned.
    public var dryRun: Bool
    public var startedAt: Date
    public var finishedAt: Date
    /// Seconds from start to finish.
    public var duration: Double
    public var outcome: Outcome
    public var exitCode: Int32
    public var error: String?
    public var backupID: String?
    public var drillID: String?
    public var sizeBytes: Int64?
    public var storedBytes: Int64?
    /// What the run did, in a few words (`deleted 2 backup(s), 14 WAL file(s)`).
    public var details: String?
    public var user: String
    public var host: String
    public var pid: Int32?
    public var lifeboatVersion: String?
    /// SHA-256 of the previous record's plaintext; nil for a chain start.
    public var previous: String?
    public var previousID: String?
    public var merged: [Link]

    /// A run starting now in this process, as this OS user on this host; it
    /// succeeds unless `finish` says otherwise.
    public init(command: String, arguments: [String] = [], startedAt: Date = Date()) {
        id = ""
        self.command = command
        type = nil
        target = nil
        self.arguments = Self.redacted(arguments)
        dryRun = false
        self.startedAt = startedAt
        finishedAt = startedAt
        duration = 0
        outcome = .succeeded
        exitCode = 0
        error = nil
        backupID = nil
        drillID = nil
        sizeBytes = nil
        storedBytes = nil
        details = nil
        user = RepositoryLock.currentUserName()
        host = ProcessInfo.processInfo.hostName
        pid = getpid()
        lifeboatVersion = LifeboatVersion.current
        previous = nil
        previousID = nil
        merged = []
    }

    /// Ends the run: exit status 0 is success; anything else a failure with `error`.
    public mutating func finish(at date: Date = Date(), exitCode: Int32, error: String?) {
        finishedAt = date
        duration = max(0, date.timeIntervalSince(startedAt))
        self.exitCode = exitCode
        outcome = exitCode == 0 ? .succeeded : .failed
        self.error = error ?? (exitCode == 0 ? nil : "exit status \(exitCode)")
    }

    /// Options whose value is never recorded: a passphrase command may hold the passphrase itself.
    public static let unrecordedOptions: Set<String> = ["--passphrase-command"]

    /// `arguments` with the values of `unrecordedOptions` replaced.
    public static func redacted(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var hideNext = false
        for argument in arguments {
            if hideNext {
                out.append("(not recorded)")
                hideNext = false
            } else if let equals = argument.firstIndex(of: "="), unrecordedOptions.contains(String(argument[..<equals])) {
                out.append(String(argument[..<equals]) + "=(not recorded)")
            } else {
                hideNext = unrecordedOptions.contains(argument)
                out.append(argument)
            }
        }
        return out
    }

    /// A new record name for `command` written at `date`.
    public static func makeID(command: String, at date: Date) -> String {
        let c = UTCComponents(date)
        let stamp = c.compact + String(format: ".%03dZ", c.nanosecond / 1_000_000)
        let name = command.map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return "\(stamp)-\(String(name))-\(String(format: "%04x", UInt16.random(in: 0...UInt16.max)))"
    }

    enum CodingKeys: String, CodingKey {
        case id, command, type, target, arguments, duration, outcome, error, details, user, host, pid, previous, merged
        case dryRun = "dry_run"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case exitCode = "exit_code"
        case backupID = "backup_id"
        case drillID = "drill_id"
        case sizeBytes = "size_bytes"
        case storedBytes = "stored_bytes"
        case lifeboatVersion = "lifeboat_version"
        case previousID = "previous_id"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        command = try c.decode(String.self, forKey: .command)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        target = try c.decodeIfPresent(String.self, forKey: .target)
        arguments = try c.decodeIfPresent([String].self, forKey: .arguments) ?? []
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
        startedAt = try c.decode(Date.self, forKey: .startedAt)
        finishedAt = try c.decode(Date.self, forKey: .finishedAt)
        duration = try c.decodeIfPresent(Double.self, forKey: .duration) ?? max(0, finishedAt.timeIntervalSince(startedAt))
        outcome = try c.decode(Outcome.self, forKey: .outcome)
        exitCode = try c.decode(Int32.self, forKey: .exitCode)
        error = try c.decodeIfPresent(String.self, forKey: .error)
        backupID = try c.decodeIfPresent(String.self, forKey: .backupID)
        drillID = try c.decodeIfPresent(String.self, forKey: .drillID)
        sizeBytes = try c.decodeIfPresent(Int64.self, forKey: .sizeBytes)
        storedBytes = try c.decodeIfPresent(Int64.self, forKey: .storedBytes)
        details = try c.decodeIfPresent(String.self, forKey: .details)
        user = try c.decode(String.self, forKey: .user)
        host = try c.decode(String.self, forKey: .host)
        pid = try c.decodeIfPresent(Int32.self, forKey: .pid)
        lifeboatVersion = try c.decodeIfPresent(String.self, forKey: .lifeboatVersion)
        previous = try c.decodeIfPresent(String.self, forKey: .previous)
        previousID = try c.decodeIfPresent(String.self, forKey: .previousID)
        merged = try c.decodeIfPresent([Link].self, forKey: .merged) ?? []
    }

    /// Every key, `null` when there is no value: the JSON keys are stable.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(command, forKey: .command)
        try c.encode(type, forKey: .type)
        try c.encode(target, forKey: .target)
        try c.encode(arguments, forKey: .arguments)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(duration, forKey: .duration)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(error, forKey: .error)
        try c.encode(backupID, forKey: .backupID)
        try c.encode(drillID, forKey: .drillID)
        try c.encode(sizeBytes, forKey: .sizeBytes)
        try c.encode(storedBytes, forKey: .storedBytes)
        try c.encode(details, forKey: .details)
        try c.encode(user, forKey: .user)
        try c.encode(host, forKey: .host)
        try c.encode(pid, forKey: .pid)
        try c.encode(lifeboatVersion, forKey: .lifeboatVersion)
        try c.encode(previous, forKey: .previous)
        try c.encode(previousID, forKey: .previousID)
        try c.encode(merged, forKey: .merged)
    }
}
