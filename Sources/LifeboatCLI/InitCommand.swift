import ArgumentParser
import LifeboatEngine
import Repository

/// `lifeboat init`: creates the repository and its keys.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the policy's repository and its encryption keys.",
        discussion: """
            Creates a random master key held only in key slots: one for the policy's key_file \
            (created with mode 0600 if it does not exist) and one for its passphrase \
            (passphrase_env or passphrase_command). Refuses a directory that already holds a repository.
            """
    )

    @OptionGroup var policyOption: PolicyOption

    @Option(name: .long, help: "Key-derivation function for the passphrase slot: scrypt (N=2^15, r=8, p=1) or pbkdf2 (600,000 iterations).")
    var kdf: PassphraseKDF = .scrypt

    @Flag(name: .long, help: "Print one JSON document: {\"repository\", \"id\", \"slots\", \"created_key_file\"}.")
    var json = false

    func run() async throws {
        try await runCommand(recording: "init") { run in
            let policy = try policyOption.load()
            let outcome = try RepositoryInitializer(policy: policy, passphraseKDF: kdf).run()
            run.attach(outcome.repository, cluster: policy.name)
            run.target = "repository \(outcome.location)"
            run.details = "repository id \(outcome.repositoryID), \(outcome.slots.count) key slot(s)" + (outcome.createdKeyFile == nil ? "" : ", created the key file")
            if json {
                try Console.json(InitReport(repository: outcome.location, id: outcome.repositoryID,
                                            slots: outcome.slots.map(SlotReport.init), createdKeyFile: outcome.createdKeyFile))
            } else {
                Console.line("initialised repository \(outcome.location) (id \(outcome.repositoryID))")
                if let file = outcome.createdKeyFile { Console.line("created key file \(file) (mode 0600): keep a copy somewhere safe, off this machine") }
                for slot in outcome.slots { Console.line("  key slot \(slot.id): \(slot.kind.rawValue), \(slot.kdf.summary)") }
            }
            return .success
        }
    }
}

extension PassphraseKDF: ExpressibleByArgument {}

struct InitReport: Encodable {
    let repository: String
    let id: String
    let slots: [SlotReport]
    let createdKeyFile: String?
    enum CodingKeys: String, CodingKey { case repository, id, slots; case createdKeyFile = "created_key_file" }
}

/// A key slot as `key list --json` and `init --json` show it.
struct SlotReport: Encodable {
    let id: String
    let kind: String
    let kdf: String
    let createdAt: String
    enum CodingKeys: String, CodingKey { case id, kind, kdf; case createdAt = "created_at" }

    init(_ slot: KeySlot) {
        id = slot.id
        kind = slot.kind.rawValue
        kdf = slot.kdf.summary
        createdAt = slot.createdAt.formatted(.iso8601)
    }
}
