import ArgumentParser
import Foundation
import LifeboatEngine

/// `lifeboat backup`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the cluster into the repository.",
        discussion: """
            logical: pg_dumpall --globals-only (roles, tablespaces) and pg_dump -Fc of every database in the policy, \
            each streamed through compression and encryption into the repository.
            physical: a base backup, read from postgres.data_directory when that is this server's and readable \
            (pg_backup_start/pg_backup_stop), else streamed by pg_basebackup (no local copy); compressed on every \
            core (postgres.jobs), with a SHA-256 per file and PostgreSQL's backup_manifest; needs WAL archiving \
            through `lifeboat wal-push`, and is kept only once the WAL that makes it consistent is in the repository.
            The backup exists only once its manifest is written, after every object; a failed run leaves nothing listed.
            Silent on success unless on a terminal; one summary line otherwise.
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case logical, physical
    }

    @OptionGroup var policyOption: PolicyOption

    @Option(name: .long, help: "The kind of backup.")
    var type: Kind = .logical

    @Flag(name: .long, help: "Pin the new backup: prune keeps it until `lifeboat unpin`.")
    var pin = false

    @Flag(name: .long, help: "Print one JSON document describing the backup (the keys of `list --json`).")
    var json = false

    func run() async throws {
        try await runCommand(recording: "backup") { run in
            let policy = try policyOption.load()
            let repository = try RepositoryAccess.unlock(policy)
            run.attach(repository, cluster: policy.name)
            run.type = type.rawValue
            let progress = ProgressDisplay.make(json: json)
            let manifest = switch type {
            case .logical: try LogicalBackup(policy: policy, repository: repository, progress: progress).run()
            case .physical: try PhysicalBackup(policy: policy, repository: repository, progress: progress).run()
            }
            run.backup(manifest)
            if pin {
                try BackupPins(repository: repository, cluster: policy.name).pin(manifest.id, now: Date())
                run.details = "pinned"
            }
            if json {
                try Console.json(BackupReport(manifest))
            } else {
                let scope = manifest.type == .physical ? "\(manifest.physical?.files ?? 0) files" : "\(manifest.databases.count) database(s)"
                Console.line("backup \(manifest.id): \(manifest.type.rawValue), \(scope), "
                    + "\(ByteFormat.string(manifest.sizeBytes)) read, \(ByteFormat.string(manifest.storedBytes)) stored, "
                    + "\(DurationFormat.string(manifest.duration))")
            }
            return .success
        }
    }
}
