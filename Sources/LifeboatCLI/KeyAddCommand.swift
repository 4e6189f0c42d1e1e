import ArgumentParser
import LifeboatEngine

/// `lifeboat key add`.
struct KeyAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a key slot for a new key file or passphrase.",
        discussion: """
            The repository is unlocked with the policy's own secrets; the new secret comes from exactly one of \
            --key-file (created with mode 0600 if missing), --passphrase-env or --passphrase-command.
            Passphrases are never taken from the command line.
            """
    )

    @OptionGroup var policyOption: PolicyOption

    @Option(name: .long, help: ArgumentHelp("A key file for the new slot.", valueName: "path"))
    var keyFile: String?

    @Option(name: .long, help: ArgumentHelp("An environment variable holding the new passphrase.", valueName: "variable"))
    var passphraseEnv: String?

    @Option(name: .long, help: ArgumentHelp("A command printing the new passphrase.", valueName: "command"))
    var passphraseCommand: String?

    @Option(name: .long, help: "KDF for a passphrase slot: scrypt or pbkdf2.")
    var kdf: PassphraseKDF = .scrypt

    func validate() throws {
        let given = [keyFile, passphraseEnv, passphraseCommand].compactMap { $0 }.count
        guard given == 1 else { throw ValidationError("Give exactly one of --key-file, --passphrase-env, --passphrase-command.") }
        if let keyFile, !keyFile.hasPrefix("/") { throw ValidationError("--key-file must be an absolute path.") }
    }

    func run() async throws {
        try await runCommand(recording: "key add") { run in
            let policy = try policyOption.load()
            let keys = try KeyManagement(policy: policy, warn: Console.warning)
            run.attach(keys.repository, cluster: policy.name)
            let source: KeyManagement.NewSecret
            if let keyFile { source = .keyFile(path: keyFile) }
            else if let passphraseEnv { source = .passphraseEnv(passphraseEnv) }
            else { source = .passphraseCommand(passphraseCommand ?? "") }
            run.target = keyFile.map { "key file \($0)" } ?? passphraseEnv.map { "passphrase from $\($0)" } ?? "passphrase from a command"
            let (slot, created) = try keys.add(source, kdf: kdf)
            run.details = "added key slot \(slot.id) (\(slot.kind.rawValue), \(slot.kdf.summary))" + (created == nil ? "" : ", created the key file")
            if let created { Console.line("created key file \(created) (mode 0600)") }
            Console.line("added key slot \(slot.id): \(slot.kind.rawValue), \(slot.kdf.summary)")
            return .success
        }
    }
}
