import ArgumentParser
import Foundation
import LifeboatEngine

/// `--policy FILE`, falling back to `LIFEBOAT_POLICY`.
struct PolicyOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The cluster's policy file (default: $LIFEBOAT_POLICY).", valueName: "file"))
    var policy: String?

    /// The policy file's path; a usage error when neither the option nor the variable is set.
    func path() throws -> String {
        if let policy { return policy }
        if let fromEnvironment = ProcessInfo.processInfo.environment[PolicyLoader.environmentVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        throw ValidationError("Missing --policy FILE (or set \(PolicyLoader.environmentVariable)).")
    }

    /// Loads and validates the policy.
    func load() throws -> Policy {
        try PolicyLoader.load(path: try path())
    }
}
