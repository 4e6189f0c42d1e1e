import ArgumentParser
import Foundation
import LifeboatEngine
import Repository

/// Collects what a command run did and stores it, when it ends, as a
/// `RunRecord` in the repository's run history (`lifeboat log`).
///
/// A run can be recorded only once the repository is open (`attach`): one that
/// fails before — a bad policy, a wrong key — leaves no record. Recording never
/// changes the command's outcome: a record that cannot be written is a warning.
/// wal-push and wal-fetch are not recorded (they run once per WAL segment and
/// must stay fast), nor are commands that only read (list, log, report, check).
final class RunRecorder {
    private(set) var record: RunRecord
    private var history: RunHistory?
    /// Why a run that ends with a non-zero status but no error failed (verify's findings, a missed objective).
    var failure: String?

    init(command: String, arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        record = RunRecord(command: command, arguments: arguments)
    }

    /// The repository is open: from now on the run is recorded in `cluster`'s history.
    func attach(_ repository: SealedRepository, cluster: String) {
        history = RunHistory(repository: repository, cluster: cluster)
    }

    var type: String? {
        get { record.type }
        set { record.type = newValue }
    }

    var target: String? {
        get { record.target }
        set { record.target = newValue }
    }

    var details: String? {
        get { record.details }
        set { record.details = newValue }
    }

    var dryRun: Bool {
        get { record.dryRun }
        set { record.dryRun = newValue }
    }

    var drillID: String? {
        get { record.drillID }
        set { record.drillID = newValue }
    }

    /// The backup the run made, restored, verified or pinned.
    func backup(_ id: String, type: String? = nil, sizeBytes: Int64? = nil, storedBytes: Int64? = nil) {
        record.backupID = id
        record.type = type ?? record.type
        record.sizeBytes = sizeBytes ?? record.sizeBytes
        record.storedBytes = storedBytes ?? record.storedBytes
        record.target = record.target ?? "backup \(id)"
    }

    func backup(_ manifest: BackupManifest) {
        backup(manifest.id, type: manifest.type.rawValue, sizeBytes: manifest.sizeBytes, storedBytes: manifest.storedBytes)
    }

    /// Ends the run with `exitCode` and stores the record; a warning if it cannot be stored.
    func finish(exitCode: Int32, error: String?) {
        guard let history else { return }
        record.finish(exitCode: exitCode, error: error ?? (exitCode == 0 ? nil : failure))
        do {
            try history.store(record)
        } catch {
            Console.warning("this run could not be recorded in the repository's run history (lifeboat log): \(error.localizedDescription)")
        }
    }
}

/// `runCommand` for a command whose runs are recorded as `command` (`backup`,
/// `key rotate`…): the body attaches the repository once it is open and notes
/// what it did; success or failure is recorded with the exit code the command
/// ends with (`LifeboatExit.code(for:)` for errors).
func runCommand(recording command: String, _ body: (RunRecorder) async throws -> LifeboatExit) async throws {
    let run = RunRecorder(command: command)
    try await runCommand {
        let status: LifeboatExit
        do {
            status = try await body(run)
        } catch let exit as ExitCode {
            run.finish(exitCode: exit.rawValue, error: nil)
            throw exit
        } catch let error as ValidationError {
            run.finish(exitCode: ExitCode.validationFailure.rawValue, error: error.message)
            throw error
        } catch {
            run.finish(exitCode: LifeboatExit.code(for: error).rawValue, error: error.localizedDescription)
            throw error
        }
        run.finish(exitCode: status.rawValue, error: nil)
        return status
    }
}
