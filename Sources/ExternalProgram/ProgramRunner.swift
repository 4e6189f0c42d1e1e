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
        var output = Data()
        var errors = Data()
        try child.exchange(input: input ?? Data(), stdout: &output, stderr: &errors)
        let termination = child.wait()
        let stderr = String(decoding: errors, as: UTF8.self)
        switch termination {
        case let .exited(status):
            if status != 0, !allowFailure {
                throw ProgramError.failed(program: program.name, status: status, stderrTail: tail(of: stderr))
            }
            return ProgramResult(status: status, stdout: output, stderr: stderr)
        case let .signaled(signal):
            if !allowFailure {
                throw ProgramError.killed(program: program.name, signal: signal, stderrTail: tail(of: stderr))
            }
            return ProgramResult(status: 128 + signal, stdout: output, stderr: stderr)
        }
    }

    /// The last `stderrTailLines` non-empty lines of `text`.
    public static func tail(of text: String, lines: Int = stderrTailLines) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).joined(separator: "\n")
    }
}
