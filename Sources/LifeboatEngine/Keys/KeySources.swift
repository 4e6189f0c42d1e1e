import ExternalProgram
import Foundation
import Repository
import Seal

/// Problems obtaining a secret. A wrong or missing secret is exit code 6; a key
/// file with unsafe permissions is a configuration error (2).
public enum SecretError: Error, LocalizedError, Equatable {
    case keyFileMissing(path: String)
    case keyFileUnsafe(path: String, mode: UInt32)
    case keyFileMalformed(path: String)
    case passphraseMissing(variable: String)
    case passphraseCommandFailed(detail: String)
    case passphraseEmpty(origin: String)
    case io(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .keyFileMissing(path):
            return "cannot unlock: the key file \(path) does not exist"
        case let .keyFileUnsafe(path, mode):
            return "the key file \(path) has mode \(String(mode, radix: 8)); it must be readable by its owner only: chmod 600 \(path)"
        case let .keyFileMalformed(path):
            return "cannot unlock: \(path) is not a lifeboat key file (64 hexadecimal digits)"
        case let .passphraseMissing(variable):
            return "cannot unlock: the environment variable \(variable) named by encryption.passphrase_env is not set"
        case let .passphraseCommandFailed(detail):
            return "cannot unlock: encryption.passphrase_command failed: \(detail)"
        case let .passphraseEmpty(origin):
            return "cannot unlock: the passphrase from \(origin) is empty"
        case let .io(path, reason):
            return "cannot read \(path): \(reason)"
        }
    }
}

/// Key files: 32 random bytes written as 64 hexadecimal digits and a newline,
/// mode 0600.
public enum KeyFile {
    /// Reads a key file, refusing one that group or others may read or write.
    public static func read(_ path: String) throws -> UnlockSecret {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { throw SecretError.keyFileMissing(path: path) }
            throw SecretError.io(path: path, reason: String(cString: strerror(errno)))
        }
        let mode = UInt32(status.st_mode) & 0o777
        guard mode & 0o077 == 0 else { throw SecretError.keyFileUnsafe(path: path, mode: mode) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SecretError.io(path: path, reason: String(cString: strerror(errno)))
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = [UInt8](hex: text), bytes.count == 32 else { throw SecretError.keyFileMalformed(path: path) }
        return UnlockSecret(kind: .keyFile, bytes: bytes, origin: "key file \(path)")
    }

    /// Creates a new random key file with mode 0600; never replaces an existing file.
    public static func create(_ path: String) throws -> UnlockSecret {
        let bytes = try SecureRandom.bytes(32)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SecretError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let text = Array((bytes.hexString + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(fd) == 0 else {
            unlink(path)
            throw SecretError.io(path: path, reason: String(cString: strerror(errno)))
        }
        return UnlockSecret(kind: .keyFile, bytes: bytes, origin: "key file \(path)")
    }
}

/// Passphrases: from an environment variable or the standard output of a
/// command — never from the command line of lifeboat itself.
public enum Passphrase {
    public static func fromEnvironment(_ variable: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> UnlockSecret {
        guard let value = environment[variable] else { throw SecretError.passphraseMissing(variable: variable) }
        guard !value.isEmpty else { throw SecretError.passphraseEmpty(origin: "$\(variable)") }
        return UnlockSecret(kind: .passphrase, bytes: Array(value.utf8), origin: "passphrase from $\(variable)")
    }

    /// Runs `command` with `/bin/sh -c`; its first line of output is the passphrase.
    /// A failure reports the exit status and stderr, never stdout.
    public static func fromCommand(_ command: String) throws -> UnlockSecret {
        let result: ProgramResult
        do {
            result = try ProgramRunner.run(Program("/bin/sh", ["-c", command]))
        } catch let error as ProgramError {
            throw SecretError.passphraseCommandFailed(detail: error.localizedDescription)
        }
        let line = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !line.isEmpty else { throw SecretError.passphraseEmpty(origin: "encryption.passphrase_command") }
        return UnlockSecret(kind: .passphrase, bytes: Array(line.utf8), origin: "passphrase from encryption.passphrase_command")
    }
}

extension EncryptionSettings {
    /// The secrets the policy offers, fastest first: the key file (no KDF cost,
    /// for `archive_command`), then the passphrase. A source that cannot be
    /// read is skipped when another one can (an unset passphrase variable does
    /// not stop `archive_command` from using the key file); a key file with
    /// unsafe permissions is always an error.
    public func unlockSecrets() throws -> [UnlockSecret] {
        var secrets: [UnlockSecret] = []
        var firstError: Error?
        func attempt(_ read: () throws -> UnlockSecret) throws {
            do {
                secrets.append(try read())
            } catch let error as SecretError {
                if case .keyFileUnsafe = error { throw error }
                firstError = firstError ?? error
            }
        }
        if let keyFile { try attempt { try KeyFile.read(keyFile) } }
        if let passphraseEnv {
            try attempt { try Passphrase.fromEnvironment(passphraseEnv) }
        } else if let passphraseCommand, secrets.isEmpty {
            // Only run a (possibly interactive or slow) command when the key file did not do.
            try attempt { try Passphrase.fromCommand(passphraseCommand) }
        }
        if secrets.isEmpty, let firstError { throw firstError }
        return secrets
    }
}
