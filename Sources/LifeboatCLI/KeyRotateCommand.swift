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
        try await runCommand {
            let generation = try KeyManagement(policy: try policyOption.load(), warn: Console.warning).rotate()
            Console.line("key generation \(generation) is now current")
            return .success
        }
    }
}
