import ArgumentParser

/// `lifeboat key`: the group of key-management subcommands.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage the repository's key slots and key generations.",
        discussion: """
            The repository's master keys are held only in key slots (a key file, passphrases).
            Rotation starts a new key generation for new objects; older objects stay readable.
            Retiring a generation nothing uses any more deletes its key for good.
            """,
        subcommands: [KeyListCommand.self, KeyAddCommand.self, KeyRemoveCommand.self, KeyRotateCommand.self, KeyRetireCommand.self]
    )
}
