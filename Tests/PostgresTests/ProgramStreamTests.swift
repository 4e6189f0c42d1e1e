import ExternalProgram
import Foundation
import Testing

/// Streaming a program's output and input, as backups (pg_dump) and restores
/// (pg_restore) do.
@Suite struct ProgramStreamTests {
    @Test func outputIsStreamedAndAFailureAfterItIsReported() throws {
        let stream = try ProgramOutputStream(Program("/bin/sh", ["-c", "head -c 3000000 /dev/zero; echo 'disk on fire' >&2; exit 4"]))
        var total = 0
        var buffer = [UInt8](repeating: 1, count: 65_536)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { break }
            total += n
        }
        #expect(total == 3_000_000)
        let error = try #require(throws: ProgramError.self) { try stream.finish() }
        #expect(error == .failed(program: "sh", status: 4, stderrTail: "disk on fire"))
    }

    /// lifeboat sets GNUTLS_NO_IMPLICIT_INIT for itself as it starts (so the
    /// GnuTLS that libpq brings along skips its set-up); the programs it
    /// starts get their environment without it.
    @Test func lifeboatsOwnGnuTLSSettingIsNotPassedOn() throws {
        #expect(ProcessInfo.processInfo.environment["GNUTLS_NO_IMPLICIT_INIT"] == "1")
        let result = try ProgramRunner.run(Program("/usr/bin/env", []))
        let names = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map { $0.prefix { $0 != "=" } }
        #expect(names.contains("PATH"))
        #expect(!names.contains("GNUTLS_NO_IMPLICIT_INIT"))
    }

    @Test func inputIsStreamedAndTheProgramsOutputCollected() throws {
        let stream = try ProgramInputStream(Program("/usr/bin/wc", ["-c"]))
        let block = [UInt8](repeating: 7, count: 1 << 20)
        for _ in 0..<5 { try block.withUnsafeBytes { try stream.write($0) } }
        let result = try stream.finish()
        #expect(result.output.trimmingCharacters(in: .whitespaces) == "5242880")
    }

    @Test func aProgramThatStopsReadingIsJudgedByItsExitStatus() throws {
        let stream = try ProgramInputStream(Program("/bin/sh", ["-c", "head -c 10 >/dev/null; echo 'bad header' >&2; exit 2"]))
        let block = [UInt8](repeating: 7, count: 1 << 20)
        let error = try #require(throws: ProgramError.self) {
            for _ in 0..<50 { try block.withUnsafeBytes { try stream.write($0) } }
            try stream.finish()
        }
        #expect(error == .failed(program: "sh", status: 2, stderrTail: "bad header"))
        let satisfied = try ProgramInputStream(Program("/usr/bin/head", ["-c", "10"]))
        for _ in 0..<50 { try block.withUnsafeBytes { try satisfied.write($0) } }
        #expect(satisfied.stoppedReading)
        #expect(try satisfied.finish().stdout.count == 10)
    }
}
