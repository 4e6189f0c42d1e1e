import ArgumentParser
import LifeboatEngine

/// `lifeboat key rotate`.
struct KeyRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Start a new key generation for everything stored from now on.",
        discussion: "Objects sealed with older generations stay readable; retire a generation once prune has removed its objects."
    )

    @OptionGroup var policyOption: PolicyOption

    func run() async throws {
        try await runCommand(recording: "key rotate") { run in
            let policy = try policyOption.load()
            let keys = try KeyManagement(policy: policy, warn: Console.warning)
            run.attach(keys.repository, cluster: policy.name)
            let generation = try keys.rotate()
            run.target = "key generation \(generation)"
            run.details = "now current"
            Console.line("key generation \(generation) is now current")
            return .success
        }
    }
}
