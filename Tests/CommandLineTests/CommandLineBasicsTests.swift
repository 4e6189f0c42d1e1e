import Foundation
import LifeboatTestSupport
import Testing

/// The command line as operators and their scripts see it: help, version,
/// completions, and the documented exit codes for bad policies.
@Suite struct CommandLineBasicsTests {
    @Test func versionPrintsTheVersion() throws {
        let result = try LifeboatBinary.run(["--version"])
        #expect(result.status == 0)
        #expect(result.output.range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
    }

    @Test func helpListsOnlyBuiltCommandsAndTheExitCodes() throws {
        let result = try LifeboatBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("check"))
        #expect(result.output.contains("5 integrity failure"))
        let subcommands = result.output.components(separatedBy: "SUBCOMMANDS:").last ?? ""
        // Subcommand names stand two spaces in; wrapped descriptions further.
        let listed = subcommands.split(separator: "\n")
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") && !$0.contains("See '") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(listed == ["init", "backup", "list", "restore", "verify", "prune", "pin", "unpin", "wal-push", "wal-fetch", "drill", "report", "log", "schedule", "check", "key"], "a command appears in --help only once it is built")
    }

    /// ArgumentParser keeps the newlines of a discussion and wraps lines at
    /// 79 characters: a newline in mid-sentence shows as a line broken after a
    /// few words. Every line of a help text either ends a sentence or a clause, or
    /// was wrapped because it was full.
    @Test(arguments: [[], ["init"], ["backup"], ["list"], ["restore"], ["verify"], ["prune"], ["wal-push"], ["wal-fetch"],
                      ["drill"], ["report"], ["log"], ["schedule"], ["check"], ["key"], ["key", "add"]])
    func helpTextIsNotBrokenInMidSentence(_ command: [String]) throws {
        let result = try LifeboatBinary.run(command + ["--help"])
        #expect(result.status == 0)
        let lines = (result.output.components(separatedBy: "USAGE:").first ?? "").components(separatedBy: "\n")
        for (line, next) in zip(lines, lines.dropFirst()) where !next.isEmpty && !line.isEmpty {
            let ended = [".", ":", ";", ")"].contains { line.hasSuffix($0) }
            let full = line.count + 1 + (next.split(separator: " ").first?.count ?? 0) > 79
            #expect(ended || full, "\(command.joined(separator: " ")) --help breaks a line early: '\(line)'")
        }
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(_ shell: String) throws {
        let result = try LifeboatBinary.run(["--generate-completion-script", shell])
        #expect(result.status == 0)
        #expect(result.output.contains("lifeboat"))
        #expect(result.output.contains("policy"))
    }

    @Test func missingPolicyIsAUsageError() throws {
        let result = try LifeboatBinary.run(["check"], unsetEnvironment: ["LIFEBOAT_POLICY"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--policy"))
    }

    func writePolicy(_ text: String) throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory()
        let path = dir.appending("policy.yaml")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (dir, path)
    }

    @Test func malformedPolicyExits2NamingFileAndLine() throws {
        let (dir, path) = try writePolicy("name: lms\npostgres:\n  databases: [lms\nrepository:\n  url: /x\n")
        defer { dir.remove() }
        let result = try LifeboatBinary.run(["check", "--policy", path])
        #expect(result.status == 2)
        #expect(result.stderr.range(of: #"lifeboat: error: \#(path):\d+: not valid YAML"#, options: .regularExpression) != nil, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func unknownKeyExits2NamingTheKey() throws {
        let (dir, path) = try writePolicy("""
            name: lms
            postgres:
              databases: [lms]
            repository:
              url: /var/backups/lifeboat
            encryption:
              key_file: /etc/lifeboat/lms.key
            retention:
              keep_lats: 3
            """)
        defer { dir.remove() }
        let result = try LifeboatBinary.run(["check", "--policy", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(path):9: retention.keep_lats: unknown field (did you mean 'keep_last'?)"), "\(result.stderr)")
    }

    @Test func policyComesFromTheEnvironment() throws {
        let (dir, path) = try writePolicy("name: lms\n")
        defer { dir.remove() }
        let result = try LifeboatBinary.run(["check"], environment: ["LIFEBOAT_POLICY": path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(path))
        #expect(result.stderr.contains("postgres: is required"))
    }
}
