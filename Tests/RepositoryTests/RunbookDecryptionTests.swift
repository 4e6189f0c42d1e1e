import Foundation
import ExternalProgram
import LifeboatTestSupport
import Repository
import Testing

/// The decryption script in runbooks/repository-format.md, extracted and run
/// with Python's `cryptography` against objects lifeboat wrote: the runbook is
/// only worth something if it works.
@Suite struct RunbookDecryptionTests {
    func python(_ arguments: [String], environment: [String: String] = [:]) throws -> ProgramResult {
        let python = try #require(ExecutableLocator.onPath("python3"))
        return try ProgramRunner.run(Program(python, arguments, environment: environment), allowFailure: true)
    }

    @Test func scriptDecryptsObjectsWithKeyFileAndPassphrase() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = try RunbookScript.extract(into: dir)
        let keyFile = dir.appending("lms.key")
        try Data((KeyringTests.keyFileSecret.bytes.hexString + "\n").utf8).write(to: URL(fileURLWithPath: keyFile))
        let repository = try KeyringTests.create(dir)
        // Several chunks, a full last chunk, an empty object, after a rotation.
        let big = (0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 11) }
        try repository.putSealed("lms/big", bytes: big)
        _ = try repository.rotate(now: Date())
        try repository.putSealed("lms/exact", bytes: Array(big.prefix(1 << 20)))
        try repository.putSealed("lms/empty", bytes: [])
        let root = dir.appending("repo")

        for (object, expected) in [("lms/big", big), ("lms/exact", Array(big.prefix(1 << 20))), ("lms/empty", [])] {
            let result = try python([script, root, object, "--key-file", keyFile])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(Array(result.stdout) == expected, "\(object)")
        }
        let viaPassphrase = try python([script, root, "lms/big", "--passphrase-env", "LB_TEST_PASS"],
                                       environment: ["LB_TEST_PASS": "correct horse"])
        #expect(viaPassphrase.status == 0, "\(viaPassphrase.stderr)")
        #expect(Array(viaPassphrase.stdout) == big)
    }

    @Test func scriptRefusesATamperedObject() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = try RunbookScript.extract(into: dir)
        let keyFile = dir.appending("lms.key")
        try Data(KeyringTests.keyFileSecret.bytes.hexString.utf8).write(to: URL(fileURLWithPath: keyFile))
        let repository = try KeyringTests.create(dir)
        try repository.putSealed("lms/x", bytes: Array("hello".utf8))
        var bytes = try repository.storage.get("lms/x")
        bytes[bytes.count - 1] ^= 1
        try repository.storage.put("lms/x", bytes: bytes)
        let result = try python([script, dir.appending("repo"), "lms/x", "--key-file", keyFile])
        #expect(result.status != 0)
        #expect(result.stderr.contains("failed authentication"))
    }
}
