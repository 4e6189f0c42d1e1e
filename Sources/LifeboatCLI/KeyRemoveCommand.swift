import ArgumentParser
import LifeboatEngine

/// `lifeboat key remove`.
struct KeyRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a key slot (never the last one).",
        discussion: "Slot ids are shown by `lifeboat key list`."
    )

    @OptionGroup var policyOption: PolicyOption

    @Argument(help: "The slot to remove.")
    var slot: String

    func run() async throws {
        try await runCommand(recording: "key remove") { run in
            let policy = try policyOption.load()
            let keys = try KeyManagement(policy: policy, warn: Console.warning)
            run.attach(keys.repository, cluster: policy.name)
            run.target = "key slot \(slot)"
            try keys.remove(slot: slot)
            Console.line("removed key slot \(slot)")
            return .success
        }
    }
}
