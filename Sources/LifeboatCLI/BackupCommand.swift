import ArgumentParser
import Foundation
import LifeboatEngine

/// `lifeboat backup`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the cluster into the repository.",
        discussion: """
            logical: pg_dumpall --globals-only (roles, tablespaces) and pg_dump -Fc of every database in the policy,
            each streamed through compression and encryption into the repository. The backup exists only once
            its manifest is written, after every object; a failed run leaves nothing listed.
            Silent on success unless on a terminal; one summary line otherwise.
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case logical
    }

    @OptionGroup var policyOption: PolicyOption

    @Option(name: .long, help: "The kind of backup.")
    var type: Kind = .logical

    @Flag(name: .long, help: "Print one JSON document describing the backup (the keys of `list --json`).")
    var json = false

    func run() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            let repository = try RepositoryAccess.unlock(policy)
            let manifest = try LogicalBackup(policy: policy, repository: repository, progress: ProgressDisplay.make(json: json)).run()
            if json {
                try Console.json(BackupReport(manifest))
            } else {
                Console.line("backup \(manifest.id): \(manifest.type.rawValue), \(manifest.databases.count) database(s), "
                    + "\(ByteFormat.string(manifest.sizeBytes)) dumped, \(ByteFormat.string(manifest.storedBytes)) stored, "
                    + "\(DurationFormat.string(manifest.duration))")
            }
            return .success
        }
    }
}
