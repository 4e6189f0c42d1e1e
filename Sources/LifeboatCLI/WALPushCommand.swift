import ArgumentParser
import Foundation
import LifeboatEngine

/// `lifeboat wal-push`: PostgreSQL's `archive_command`.
struct WALPushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal-push",
        abstract: "Archive one WAL file (archive_command = 'lifeboat wal-push --policy FILE %p').",
        discussion: """
            Compresses and seals the file into the repository and returns only once it is durable there. Pushing \
            a file that is already archived with identical content succeeds; different content under the same \
            name fails (exit 5) and overwrites nothing. A segment from another cluster than the one archived under \
            this policy name so far is refused (exit 2). Use a key_file in the policy: a passphrase would run its \
            key derivation for every segment. Silent on success.
            """
    )

    @OptionGroup var policyOption: PolicyOption

    @Argument(help: ArgumentHelp("The WAL file (PostgreSQL's %p).", valueName: "path"))
    var path: String

    func run() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            // PostgreSQL archives one file at a time: each push compresses on every core `jobs` allows.
            let archive = WALArchive(repository: try RepositoryAccess.unlock(policy), cluster: policy.name, compression: policy.compression,
                                     workers: policy.postgres.physicalJobs)
            if try archive.push(path: path) == .alreadyArchived {
                Console.warning("\((path as NSString).lastPathComponent) was already archived with identical content")
            }
            return .success
        }
    }
}
