import ArgumentParser
import LifeboatEngine

/// `lifeboat key retire`.
struct KeyRetireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire",
        abstract: "Delete an old key generation that no stored object uses any more.",
        discussion: "Refuses the current generation and any generation that still seals an object. Irreversible: the key is gone."
    )

    @OptionGroup var policyOption: PolicyOption

    @Argument(help: "The key generation to retire.")
    var generation: UInt32

    func run() async throws {
        try await runCommand(recording: "key retire") { run in
            let policy = try policyOption.load()
            let keys = try KeyManagement(policy: policy, warn: Console.warning)
            run.attach(keys.repository, cluster: policy.name)
            run.target = "key generation \(generation)"
            try keys.retire(generation: generation)
            Console.line("key generation \(generation) retired; its key is deleted")
            return .success
        }
    }
}
