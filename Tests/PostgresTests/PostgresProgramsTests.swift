import ExternalProgram
import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// Locating PostgreSQL's programs and running them.
@Suite struct PostgresProgramsTests {
    @Test func findsProgramsThroughPgConfigAndReadsTheirVersion() throws {
        let programs = PostgresPrograms(binDirectory: nil)
        let path = try programs.path(of: "pg_dump")
        #expect(path.hasSuffix("/pg_dump"))
        #expect(try programs.majorVersion(of: "pg_dump") >= 10)
    }

    @Test func configuredBinDirIsTheOnlyPlaceLooked() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let programs = PostgresPrograms(binDirectory: dir.path)
        let error = try #require(throws: ProgramError.self) { try programs.path(of: "pg_dump") }
        #expect(error == .notFound(program: "pg_dump", searched: [dir.path]))
        #expect(error.localizedDescription.contains("postgres.bin_dir"))
    }

    @Test func versionRulesAreEnforced() throws {
        let programs = PostgresPrograms(binDirectory: nil)
        let major = try programs.majorVersion(of: "pg_dump")
        _ = try programs.checked("pg_dump", serverMajor: major)
        _ = try programs.checked("pg_dump", serverMajor: major - 1)
        #expect(throws: PostgresError.self) { try programs.checked("pg_dump", serverMajor: major + 1) }
        #expect(throws: PostgresError.self) { try programs.checked("initdb", serverMajor: major - 1) }
    }

    @Test func failureReportsExitStatusAndStderrTail() throws {
        let programs = PostgresPrograms(binDirectory: nil)
        let error = try #require(throws: ProgramError.self) {
            try programs.run("pg_dump", ["-h", "/nonexistent-socket-dir", "-p", "1", "nodb"])
        }
        guard case let .failed(program, status, tail) = error else { Issue.record("\(error)"); return }
        #expect(program == "pg_dump")
        #expect(status == 1)
        #expect(tail.contains("/nonexistent-socket-dir"))
        #expect(error.localizedDescription.contains("pg_dump exited with status 1"))
    }

    @Test func killedProgramIsReportedWithItsSignal() throws {
        let error = try #require(throws: ProgramError.self) {
            try ProgramRunner.run(Program("/bin/sh", ["-c", "echo dying >&2; kill -9 $$"]))
        }
        #expect(error == .killed(program: "sh", signal: 9, stderrTail: "dying"))
    }

    @Test func stderrTailKeepsTheLastLines() {
        let text = (1...50).map { "line \($0)" }.joined(separator: "\n")
        let tail = ProgramRunner.tail(of: text)
        #expect(tail.hasPrefix("line 31\n") && tail.hasSuffix("line 50"))
    }
}
