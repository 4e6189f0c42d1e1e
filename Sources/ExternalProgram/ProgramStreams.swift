import Foundation

/// A running program whose standard output is read as a stream (`pg_dump` during
/// a backup). Its stderr is collected for the error message. Call `finish` after
/// the output ends: it reaps the program and throws `ProgramError` if it failed
/// or was killed, so that a truncated dump is never taken for a complete one.
public final class ProgramOutputStream {
    private let child: SpawnedProcess

    public init(_ program: Program) throws {
        child = try SpawnedProcess(program, pipeStdin: false)
    }

    /// The next bytes of output; 0 at its end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try child.readStdout(into: buffer)
    }

    /// Waits for the program; throws unless it exited with status 0.
    public func finish() throws {
        if let failure = child.failure(for: try child.finish()) { throw failure }
    }

    /// The program's process id (to signal it from another thread).
    public var processID: pid_t { child.pid }
}

/// A running program fed a stream on its standard input (`pg_restore` or
/// `psql` during a restore). Its output and stderr are collected.
public final class ProgramInputStream {
    private let child: SpawnedProcess

    public init(_ program: Program) throws {
        child = try SpawnedProcess(program, pipeStdin: true)
    }

    /// Whether the program closed its input before the end (it exited, or
    /// needed no more — `pg_restore --list` reads only the table of contents).
    public private(set) var stoppedReading = false

    /// Sends bytes; once the program has stopped reading, the rest is
    /// discarded. Whether that was a failure is decided by its exit status in
    /// `finish`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !stoppedReading else { return }
        if try !child.writeStdin(bytes) { stoppedReading = true }
    }

    /// Ends the input and waits; throws unless the program exited with status 0
    /// (or, with `allowFailure`, returns whatever it did).
    @discardableResult
    public func finish(allowFailure: Bool = false) throws -> ProgramResult {
        let termination = try child.finish()
        if !allowFailure, let failure = child.failure(for: termination) { throw failure }
        return ProgramResult(status: termination.status, stdout: child.collectedStdout, stderr: String(decoding: child.stderr, as: UTF8.self))
    }

    /// Kills the program without ending its input cleanly — so that, for
    /// example, `pg_restore --single-transaction` rolls back — and reaps it.
    public func abort() {
        kill(child.pid, SIGKILL)
        _ = try? child.finish()
    }
}
