import ArgumentParser
import Foundation
import LifeboatEngine

/// `lifeboat pin`.
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Keep a backup whatever the retention rules say (until unpinned)."
    )

    @OptionGroup var policyOption: PolicyOption

    @Argument(help: ArgumentHelp("The backup to pin (an id, or latest).", valueName: "id"))
    var id: String

    func run() async throws {
        try await runCommand(recording: "pin") { run in
            let policy = try policyOption.load()
            let repository = try RepositoryAccess.unlock(policy)
            run.attach(repository, cluster: policy.name)
            run.target = "backup \(id)"
            let backup = try BackupCatalog(repository: repository, cluster: policy.name).resolve(id)
            run.backup(backup)
            try BackupPins(repository: repository, cluster: policy.name).pin(backup.id, now: Date())
            Console.line("pinned backup \(backup.id): prune keeps it until `lifeboat unpin \(backup.id)`")
            return .success
        }
    }
}

/// `lifeboat unpin`.
struct UnpinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin",
        abstract: "Let the retention rules decide about a pinned backup again."
    )

    @OptionGroup var policyOption: PolicyOption

    @Argument(help: ArgumentHelp("The backup to unpin.", valueName: "id"))
    var id: String

    func run() async throws {
        try await runCommand(recording: "unpin") { run in
            let policy = try policyOption.load()
            let repository = try RepositoryAccess.unlock(policy)
            run.attach(repository, cluster: policy.name)
            run.backup(id)
            try BackupPins(repository: repository, cluster: policy.name).unpin(id)
            Console.line("unpinned backup \(id)")
            return .success
        }
    }
}
