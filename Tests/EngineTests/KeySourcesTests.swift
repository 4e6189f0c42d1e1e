import Foundation
import LifeboatEngine
import LifeboatTestSupport
import Repository
import Testing

/// Where secrets come from: key files (0600 only), environment variables and
/// commands — and that they never leak into messages.
@Suite struct KeySourcesTests {
    @Test func passphraseCommandGivesItsFirstLine() throws {
        let secret = try Passphrase.fromCommand("printf 'tr0ub4dor\\nignored\\n'")
        #expect(secret.bytes == Array("tr0ub4dor".utf8))
        #expect(!secret.origin.contains("tr0ub4dor"))
    }

    @Test func failingPassphraseCommandReportsStatusAndStderrButNeverStdout() throws {
        let error = try #require(throws: SecretError.self) {
            try Passphrase.fromCommand("echo half-a-secret; echo 'vault is sealed' >&2; exit 3")
        }
        let message = error.localizedDescription
        #expect(message.contains("exited with status 3"))
        #expect(message.contains("vault is sealed"))
        #expect(!message.contains("half-a-secret"))
    }

    @Test func emptyOrMissingPassphrasesAreRefused() {
        #expect(throws: SecretError.passphraseMissing(variable: "LB_NOPE")) { try Passphrase.fromEnvironment("LB_NOPE", environment: [:]) }
        #expect(throws: SecretError.passphraseEmpty(origin: "$LB_EMPTY")) { try Passphrase.fromEnvironment("LB_EMPTY", environment: ["LB_EMPTY": ""]) }
        #expect(throws: SecretError.self) { try Passphrase.fromCommand("true") }
    }

    @Test func keyFilesAreCreated0600AndNeverReplaced() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.appending("k.key")
        let created = try KeyFile.create(path)
        #expect(created.bytes.count == 32)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        #expect(try KeyFile.read(path).bytes == created.bytes)
        #expect(throws: SecretError.self) { try KeyFile.create(path) }
        #expect(try KeyFile.read(path).bytes == created.bytes)
    }

    @Test(arguments: [0o640, 0o604, 0o660, 0o777])
    func keyFilesOthersCanReadAreRefused(_ mode: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.appending("k.key")
        _ = try KeyFile.create(path)
        chmod(path, mode_t(mode))
        #expect(throws: SecretError.keyFileUnsafe(path: path, mode: UInt32(mode))) { try KeyFile.read(path) }
    }

    @Test func keyFileIsUsedWhenThePassphraseVariableIsUnset() throws {
        // archive_command runs without the operator's environment.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.appending("k.key")
        _ = try KeyFile.create(path)
        let settings = EncryptionSettings(keyFile: path, passphraseEnv: "LB_SURELY_UNSET_VARIABLE", passphraseCommand: nil)
        let secrets = try settings.unlockSecrets()
        #expect(secrets.map(\.kind) == [.keyFile])
        let neither = EncryptionSettings(keyFile: dir.appending("missing.key"), passphraseEnv: "LB_SURELY_UNSET_VARIABLE", passphraseCommand: nil)
        #expect(throws: SecretError.keyFileMissing(path: dir.appending("missing.key"))) { try neither.unlockSecrets() }
    }
}
