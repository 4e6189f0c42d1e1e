import ExternalProgram
import Foundation

/// PostgreSQL's own programs, found in one place and checked against the server.
///
/// A program is looked for only in the policy's `bin_dir` when it names one;
/// otherwise in `pg_config --bindir`, then on `PATH`, the first hit winning. Its major version must suit
/// the server's: client programs that read a server (`pg_dump`, `pg_dumpall`,
/// `pg_restore`, `pg_amcheck`, `psql`) must be at least as new; programs that
/// handle a data directory (`initdb`, `pg_ctl`, `postgres`, `pg_basebackup`,
/// `pg_controldata`, `pg_waldump`) must be the same major version.
public struct PostgresPrograms: Sendable {
    /// Directories searched, in order.
    public let searchDirectories: [String]

    public init(binDirectory: String?) {
        if let binDirectory {
            // When the policy names a bin_dir, only that directory counts: a
            // missing program there is an error, not a fall-back to another installation.
            searchDirectories = [binDirectory]
            return
        }
        var dirs: [String] = []
        if let pgConfig = ExecutableLocator.onPath("pg_config"),
           let result = try? ProgramRunner.run(Program(pgConfig, ["--bindir"])), !result.output.isEmpty {
            dirs.append(result.output)
        }
        dirs += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        var seen = Set<String>()
        searchDirectories = dirs.filter { seen.insert($0).inserted }
    }

    /// Absolute path of `name`, or `ProgramError.notFound`.
    public func path(of name: String) throws -> String {
        for dir in searchDirectories {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ProgramError.notFound(program: name, searched: searchDirectories)
    }

    /// The major version a program reports with `--version`
    /// (`pg_dump (PostgreSQL) 15.4` gives 15).
    public func majorVersion(of name: String) throws -> Int {
        try majorVersion(of: name, at: try path(of: name))
    }

    private func majorVersion(of name: String, at path: String) throws -> Int {
        let output = try ProgramRunner.run(Program(path, ["--version"])).output
        guard let marker = output.range(of: "(PostgreSQL) ") else {
            throw PostgresError.unreadableVersion(program: name, output: output)
        }
        let digits = output[marker.upperBound...].prefix { $0.isNumber }
        guard let major = Int(digits) else { throw PostgresError.unreadableVersion(program: name, output: output) }
        return major
    }

    /// Programs that must match the server's major version exactly.
    static let sameMajor: Set<String> = ["initdb", "pg_ctl", "postgres", "pg_basebackup", "pg_controldata", "pg_waldump", "pg_resetwal"]

    /// A located program and the major version it reported.
    public struct Located: Sendable {
        public let path: String
        public let major: Int
    }

    /// Locates `name` and checks its version against the server's.
    public func located(_ name: String, serverMajor: Int) throws -> Located {
        let path = try path(of: name)
        let major = try majorVersion(of: name, at: path)
        if Self.sameMajor.contains(name) {
            guard major == serverMajor else {
                throw PostgresError.versionMismatch(program: name, path: path, programMajor: major, serverMajor: serverMajor, rule: "it must be the same major version")
            }
        } else if major < serverMajor {
            throw PostgresError.versionMismatch(program: name, path: path, programMajor: major, serverMajor: serverMajor, rule: "it must not be older than the server")
        }
        return Located(path: path, major: major)
    }

    /// Locates `name` and checks its version against the server's; returns its path.
    public func checked(_ name: String, serverMajor: Int) throws -> String {
        try located(name, serverMajor: serverMajor).path
    }

    /// Runs a PostgreSQL program to completion. Failures carry its exit status
    /// and the tail of its stderr (`ProgramError`).
    @discardableResult
    public func run(_ name: String, _ arguments: [String], environment: [String: String] = [:], user: String? = nil, input: Data? = nil) throws -> ProgramResult {
        try ProgramRunner.run(Program(try path(of: name), arguments, environment: environment, user: user), input: input)
    }
}
