import ArgumentParser
import Foundation
import LifeboatEngine
import Postgres
import Repository

/// `lifeboat restore`.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a physical backup into a data directory, or a logical backup into a database.",
        discussion: """
            --data-dir DIR: writes the newest physical backup that is consistent before the target (or --backup) into \
            DIR and configures recovery (restore_command = lifeboat wal-fetch with this policy, the recovery target, \
            recovery.signal); start PostgreSQL on DIR and it replays the archived WAL to exactly the target. A \
            target the repository cannot reach is refused before anything is written, with the recoverable window.
            DIR must be empty or absent unless --delta is given: DIR is then made identical to the backup (files \
            whose size and SHA-256 match are kept, others rewritten, files not in the backup removed). A DIR a \
            server is running on is refused. Without a target, recovery replays all archived WAL.
            Times without an offset are in the policy's time_zone.

            --database NAME: streams a logical backup into pg_restore (single transaction, stops at the first \
            error). The database is created if it does not exist; an existing database that is not empty is \
            refused unless --clean is given. A database this command created is dropped again if the restore fails.
            """
    )

    @OptionGroup var policyOption: PolicyOption

    @Option(name: .long, help: "The backup to restore (an id, or latest). Default: chosen by the target (--data-dir), latest (--database).")
    var backup: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Restore a physical backup into this data directory.", valueName: "dir"))
    var dataDirectory: String?

    @Option(name: .long, help: "Restore a logical backup into this database.")
    var database: String?

    @Option(name: .customLong("target-time"), help: ArgumentHelp("Recover to this time (2026-11-20 14:29:00+00).", valueName: "time"))
    var targetTime: String?

    @Option(name: .customLong("target-lsn"), help: ArgumentHelp("Recover to this WAL location (16/B374D848).", valueName: "lsn"))
    var targetLSN: String?

    @Option(name: .customLong("target-xid"), help: ArgumentHelp("Recover to the end of this transaction.", valueName: "xid"))
    var targetXID: UInt64?

    @Option(name: .customLong("target-name"), help: ArgumentHelp("Recover to this restore point (pg_create_restore_point).", valueName: "name"))
    var targetName: String?

    @Flag(name: .customLong("target-immediate"), help: "Recover only until the backup is consistent.")
    var targetImmediate = false

    @Option(name: .customLong("target-action"), help: ArgumentHelp("What the server does at the target: promote, pause or shutdown.", valueName: "action"))
    var targetAction: String = "promote"

    @Option(name: .customLong("target-timeline"), help: ArgumentHelp("Recover along this timeline (a number, or latest).", valueName: "timeline"))
    var targetTimeline: String = "latest"

    @Option(name: .customLong("archive-mode"), help: ArgumentHelp("preserve: the restored server archives WAL as the original did; off: it does not. Default: preserve when restoring into the policy's data_directory (replacing the server), off for any other directory (a copy must not write into the repository).", valueName: "mode"))
    var archiveMode: String?

    @Flag(name: .long, help: "Make an existing data directory identical to the backup, keeping files that already match.")
    var delta = false

    @Option(name: .long, help: "The database in the backup to restore (needed when it holds several).")
    var from: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Restore only these tables (SCHEMA.TABLE ...).")
    var table: [String] = []

    @Flag(name: .long, help: "Replace the objects of an existing, non-empty target database.")
    var clean = false

    @Flag(name: .long, help: "Apply the backup's roles and tablespaces first.")
    var globals = false

    @Flag(name: .long, help: "Do not restore object ownership (when the backup's roles do not exist here).")
    var noOwner = false

    @Option(name: .long, help: "Restore to this server instead of the policy's.")
    var host: String?

    @Option(name: .long, help: "Restore to this port instead of the policy's.")
    var port: Int?

    @Flag(name: .long, help: "Print one JSON document describing the restore (--data-dir).")
    var json = false

    func validate() throws {
        guard (dataDirectory == nil) != (database == nil) else { throw ValidationError("Give either --data-dir DIR or --database NAME.") }
        let targets = [targetTime != nil, targetLSN != nil, targetXID != nil, targetName != nil, targetImmediate].filter { $0 }.count
        if targets > 1 { throw ValidationError("Give at most one of --target-time, --target-lsn, --target-xid, --target-name, --target-immediate.") }
        if database != nil, targets > 0 || delta { throw ValidationError("Recovery targets and --delta apply to --data-dir restores only.") }
        if dataDirectory != nil, !table.isEmpty || clean || globals || from != nil {
            throw ValidationError("--table, --from, --clean and --globals apply to --database restores only.")
        }
        if RecoveryTarget.Action(rawValue: targetAction) == nil { throw ValidationError("--target-action must be promote, pause or shutdown.") }
        if targetTimeline != "latest", UInt32(targetTimeline).map({ $0 > 0 }) != true { throw ValidationError("--target-timeline must be a timeline number or latest.") }
        if let archiveMode, !["preserve", "off"].contains(archiveMode) { throw ValidationError("--archive-mode must be preserve or off.") }
        if let targetLSN, LSN(targetLSN) == nil { throw ValidationError("--target-lsn '\(targetLSN)' is not an LSN such as 16/B374D848.") }
        if let targetName, targetName.isEmpty || targetName.utf8.count > 63 { throw ValidationError("--target-name must be 1 to 63 bytes.") }
    }

    func run() async throws {
        try await runCommand(recording: "restore") { run in
            let policy = try policyOption.load()
            let repository = try RepositoryAccess.unlock(policy)
            run.attach(repository, cluster: policy.name)
            if let dataDirectory {
                run.type = "physical"
                run.target = "data directory \(dataDirectory)"
                return try restorePhysical(policy: policy, repository: repository, into: dataDirectory, run: run)
            }
            run.type = "logical"
            run.target = "database \(database ?? "")" + (table.isEmpty ? "" : " (tables \(table.joined(separator: ", ")))")
            var request = LogicalRestore.Request(database: database ?? "")
            request.backup = backup ?? "latest"
            request.source = from
            request.tables = table
            request.clean = clean
            request.globals = globals
            request.noOwner = noOwner
            request.host = host
            request.port = port
            let outcome = try LogicalRestore(policy: policy, repository: repository, progress: ProgressDisplay.make(json: false)).run(request)
            run.backup(outcome.backup)
            run.details = "from database \(outcome.source)" + (outcome.createdDatabase ? ", created the database" : "")
            for warning in outcome.globalsWarnings { Console.warning("roles: \(warning)") }
            let scope = table.isEmpty ? "database \(outcome.source)" : "\(table.joined(separator: ", ")) of \(outcome.source)"
            Console.line("restored \(scope) from backup \(outcome.backup.id) into \(outcome.database)"
                + (outcome.createdDatabase ? " (created)" : ""))
            return .success
        }
    }

    func target(zone: TimeZone) throws -> RecoveryTarget {
        if let targetTime {
            guard let date = RecoveryTarget.parseTime(targetTime, zone: zone) else {
                throw ValidationError("--target-time '\(targetTime)' is not a time such as '2026-11-20 14:29:00+00'.")
            }
            return .time(date)
        }
        if let targetLSN, let lsn = LSN(targetLSN) { return .lsn(lsn) }
        if let targetXID { return .xid(targetXID) }
        if let targetName { return .name(targetName) }
        return targetImmediate ? .immediate : .end
    }

    func restorePhysical(policy: Policy, repository: SealedRepository, into directory: String, run: RunRecorder) throws -> LifeboatExit {
        var request = PhysicalRestore.Request(dataDirectory: directory)
        request.backup = backup
        request.target = try target(zone: policy.timeZone)
        request.action = RecoveryTarget.Action(rawValue: targetAction) ?? .promote
        request.delta = delta
        request.timeline = UInt32(targetTimeline)
        request.archiving = archiveMode.map { $0 == "preserve" } ?? PhysicalRestore.isServerDirectory(directory, policy: policy)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let outcome = try PhysicalRestore(policy: policy, repository: repository, progress: ProgressDisplay.make(json: json), executable: executable)
            .run(request)
        run.backup(outcome.backup)
        run.details = "recovery target \(request.target)" + (request.target == .end ? "" : ", then \(request.action.rawValue)")
            + ", \(ByteFormat.string(outcome.bytesWritten)) written" + (delta ? ", \(outcome.filesKept) file(s) kept" : "")
        if json {
            try Console.json(PhysicalRestoreReport(outcome))
        } else {
            Console.line("restored backup \(outcome.backup.id) into \(outcome.dataDirectory): \(ByteFormat.string(outcome.bytesWritten)) written"
                + (delta ? ", \(outcome.filesKept) unchanged file(s) kept" : ""))
            Console.line("recovery target: \(request.target)" + (request.target == .end ? "" : ", then \(request.action.rawValue)"))
            if let window = outcome.window { Console.line("recoverable window: \(window)") }
            Console.line("start PostgreSQL on \(outcome.dataDirectory) to recover (pg_ctl -D \(outcome.dataDirectory) start)")
        }
        return .success
    }
}

/// `restore --data-dir --json`.
struct PhysicalRestoreReport: Encodable {
    let backupID: String
    let dataDirectory: String
    let target: String
    let action: String
    let bytesWritten: Int64
    let filesKept: Int
    let recoverable: [String: String?]

    init(_ outcome: PhysicalRestore.Outcome) {
        backupID = outcome.backup.id
        dataDirectory = outcome.dataDirectory
        target = outcome.settings.target.description
        action = outcome.settings.action.rawValue
        bytesWritten = outcome.bytesWritten
        filesKept = outcome.filesKept
        let iso = ISO8601DateFormatter()
        recoverable = ["from": outcome.window.map { iso.string(from: $0.from) }, "to": outcome.window?.to.map { iso.string(from: $0) }]
    }

    enum CodingKeys: String, CodingKey {
        case target, action, recoverable
        case backupID = "backup_id"
        case dataDirectory = "data_dir"
        case bytesWritten = "bytes_written"
        case filesKept = "files_kept"
    }
}
