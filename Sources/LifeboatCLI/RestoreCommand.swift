import ArgumentParser
import LifeboatEngine

/// `lifeboat restore`.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a logical backup into a database.",
        discussion: """
            Streams the backup from the repository into pg_restore (single transaction, stops at the first error).
            The target database is created if it does not exist; an existing database that is not empty is refused
            unless --clean is given (its objects are then dropped and re-created from the backup). A database this
            command created is dropped again if the restore fails.
            """
    )

    @OptionGroup var policyOption: PolicyOption

    @Option(name: .long, help: "The backup to restore (an id, or latest).")
    var backup = "latest"

    @Option(name: .long, help: "The database to restore into.")
    var database: String

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

    func run() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            let repository = try RepositoryAccess.unlock(policy)
            var request = LogicalRestore.Request(database: database)
            request.backup = backup
            request.source = from
            request.tables = table
            request.clean = clean
            request.globals = globals
            request.noOwner = noOwner
            request.host = host
            request.port = port
            let outcome = try LogicalRestore(policy: policy, repository: repository, progress: ProgressDisplay.make(json: false)).run(request)
            for warning in outcome.globalsWarnings { Console.warning("roles: \(warning)") }
            let scope = table.isEmpty ? "database \(outcome.source)" : "\(table.joined(separator: ", ")) of \(outcome.source)"
            Console.line("restored \(scope) from backup \(outcome.backup.id) into \(outcome.database)"
                + (outcome.createdDatabase ? " (created)" : ""))
            return .success
        }
    }
}
