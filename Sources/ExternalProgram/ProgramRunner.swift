import Foundation

/// What a finished program left behind.
public struct ProgramResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: String

    /// Standard output as UTF-8 text, trailing newline removed.
    public var output: String {
        String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .newlines)
    }
}

/// Runs external programs to completion, capturing their output.
///
/// Standard output is collected whole (use it for small outputs: versions, query
/// results, a passphrase); standard error is collected and its tail reported when
/// the program fails. Built on `posix_spawn` and `poll` so that it never depends
/// on a run loop or a free thread, and a daemon the program leaves behind (as
/// `pg_ctl start` does) cannot keep it waiting once the program itself exits
/// and its pipes close.
public enum ProgramRunner {
    /// How many lines of stderr a failure message carries.
    public static let stderrTailLines = 20

    /// Runs `program`, feeding it `input` on stdin, and returns its result.
    /// Throws `ProgramError` when it cannot start, exits non-zero or is killed,
    /// unless `allowFailure` is set, in which case any exit status is returned.
    @discardableResult
    public static func run(_ program: Program, input: Data? = nil, allowFailure: Bool = false) throws -> ProgramResult {
        let child = try SpawnedProcess(program, pipeStdin: input != nil)
        if let input, !input.isEmpty {
            _ = try input.withUnsafeBytes { try child.writeStdin($0) }
        }
        let termination = try child.finish()
        let stderr = String(decoding: child.stderr, as: UTF8.self)
        if !allowFailure, let failure = child.failure(for: termination) { throw failure }
        return ProgramResult(status: termination.status, stdout: child.collectedStdout, stderr: stderr)
    }

    /// The last `stderrTailLines` non-empty lines of `text`.
    public static func tail(of text: String, lines: Int = stderrTailLines) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).joined(separator: "\n")
    }
}
