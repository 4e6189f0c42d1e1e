import CProcessSupport
import Foundation

/// How a child process ended.
public enum Termination: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)

    /// A shell-style status: the exit code, or 128 + the signal.
    var status: Int32 {
        switch self {
        case let .exited(code): return code
        case let .signaled(signal): return 128 + signal
        }
    }
}

/// A child started with `posix_spawn`, its stdout and stderr on pipes (and its
/// stdin on a pipe or `/dev/null`). The parent's copies of the child's pipe ends
/// are closed right after spawning, so end-of-file on stdout and stderr means
/// the child (and anything it handed them to) has closed them.
///
/// Every wait is a `poll` over all open pipes, so a child blocked writing to
/// one pipe can never deadlock with the parent waiting on another. Stderr is
/// always collected (its last 64 KiB), for error messages.
final class SpawnedProcess {
    let pid: pid_t
    let name: String
    private var stdinWrite: Int32
    private var stdoutRead: Int32
    private var stderrRead: Int32
    private(set) var stderr = Data()
    /// Stdout collected by the pumping loops when the caller is not reading it.
    private(set) var collectedStdout = Data()
    private var reaped: Termination?
    static let stderrLimit = 64 * 1024
    /// The stdout pipe's buffer, in the kernel: 1 MiB, Linux's default ceiling
    /// for an unprivileged process (`/proc/sys/fs/pipe-max-size`).
    static let stdoutPipeSize: Int32 = 1 << 20

    init(_ program: Program, pipeStdin: Bool) throws {
        // Writing to a child that exited must fail with EPIPE, not kill lifeboat.
        signal(SIGPIPE, SIG_IGN)
        name = program.name
        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        func makePipe(_ fds: inout [Int32]) throws {
            guard lifeboat_pipe_cloexec(&fds) == 0 else {
                throw ProgramError.launchFailed(program: program.name, reason: "pipe: \(String(cString: strerror(errno)))")
            }
        }
        defer {
            // The child's ends, and anything left open after a failure.
            for fd in [stdinPipe[0], stdoutPipe[1], stderrPipe[1]] where fd >= 0 { close(fd) }
        }
        if pipeStdin { try makePipe(&stdinPipe) }
        try makePipe(&stdoutPipe)
        // A dump keeps writing while lifeboat compresses what it read (64 KiB
        // would stall it at every block); a smaller pipe only costs speed.
        _ = lifeboat_widen_pipe(stdoutPipe[0], Self.stdoutPipeSize)
        try makePipe(&stderrPipe)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if pipeStdin {
            posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        if let dir = program.workingDirectory {
            lifeboat_spawn_add_chdir(&actions, dir)
        }

        let child: pid_t
        do {
            child = try Spawn.start(program, actions: &actions)
        } catch {
            for fd in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] where fd >= 0 { close(fd) }
            throw error
        }
        pid = child
        stdinWrite = stdinPipe[1]
        stdoutRead = stdoutPipe[0]
        stderrRead = stderrPipe[0]
        if stdinWrite >= 0 { _ = fcntl(stdinWrite, F_SETFL, fcntl(stdinWrite, F_GETFL) | O_NONBLOCK) }
    }

    deinit {
        for fd in [stdinWrite, stdoutRead, stderrRead] where fd >= 0 { close(fd) }
        if reaped == nil {
            // Abandoned (an error elsewhere): do not leave a running child or a zombie.
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    /// What one round of `poll` found.
    private enum Event {
        case stdinWritable
        case stdout
        case other
    }

    /// Polls the open pipes (stdin only when `wantStdin`); drains stderr (and
    /// stdout into `collectedStdout` unless `deliverStdout`) and reports what is ready.
    private func pump(wantStdin: Bool, deliverStdout: Bool) throws -> Event {
        var fds: [pollfd] = []
        if stdoutRead >= 0 { fds.append(pollfd(fd: stdoutRead, events: Int16(POLLIN), revents: 0)) }
        if stderrRead >= 0 { fds.append(pollfd(fd: stderrRead, events: Int16(POLLIN), revents: 0)) }
        if wantStdin, stdinWrite >= 0 { fds.append(pollfd(fd: stdinWrite, events: Int16(POLLOUT), revents: 0)) }
        guard !fds.isEmpty else { return .other }
        while poll(&fds, nfds_t(fds.count), -1) < 0 {
            if errno != EINTR { throw ProgramError.launchFailed(program: name, reason: "poll: \(String(cString: strerror(errno)))") }
        }
        var result = Event.other
        for entry in fds where entry.revents != 0 {
            if entry.fd == stderrRead {
                if try drain(&stderrRead, into: &stderr, limit: Self.stderrLimit) { continue }
            } else if entry.fd == stdoutRead {
                if deliverStdout { result = .stdout } else { _ = try drain(&stdoutRead, into: &collectedStdout, limit: Int.max) }
            } else if entry.fd == stdinWrite {
                if case .other = result { result = .stdinWritable }
            }
        }
        return result
    }

    /// Reads what is available from `fd` into `data` (keeping its last `limit`
    /// bytes); closes `fd` at end-of-file. Returns true at end-of-file.
    private func drain(_ fd: inout Int32, into data: inout Data, limit: Int) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
        if n > 0 {
            data.append(contentsOf: buffer[0..<n])
            if data.count > limit { data.removeFirst(data.count - limit) }
            return false
        }
        if n < 0, errno == EINTR || errno == EAGAIN { return false }
        close(fd)
        fd = -1
        return true
    }

    /// Reads the child's stdout into `buffer`; 0 at its end. Stderr is collected meanwhile.
    func readStdout(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while stdoutRead >= 0 {
            guard case .stdout = try pump(wantStdin: false, deliverStdout: true) else { continue }
            let n = Foundation.read(stdoutRead, buffer.baseAddress, buffer.count)
            if n > 0 { return n }
            if n < 0, errno == EINTR || errno == EAGAIN { continue }
            close(stdoutRead)
            stdoutRead = -1
        }
        return 0
    }

    /// Writes all of `bytes` to the child's stdin, collecting its output meanwhile.
    /// Returns false if the child closed its stdin (it exited or stopped reading).
    func writeStdin(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        var written = 0
        while written < bytes.count {
            guard stdinWrite >= 0 else { return false }
            guard case .stdinWritable = try pump(wantStdin: true, deliverStdout: false) else { continue }
            let n = Foundation.write(stdinWrite, bytes.baseAddress! + written, bytes.count - written)
            if n > 0 {
                written += n
            } else if n < 0, errno != EAGAIN, errno != EINTR {
                closeStdin()
                return false
            }
        }
        return true
    }

    func closeStdin() {
        if stdinWrite >= 0 {
            close(stdinWrite)
            stdinWrite = -1
        }
    }

    /// Closes stdin, collects the rest of stdout and stderr, and reaps the child.
    func finish() throws -> Termination {
        closeStdin()
        while stdoutRead >= 0 || stderrRead >= 0 {
            _ = try pump(wantStdin: false, deliverStdout: false)
        }
        return wait()
    }

    /// Waits for the child to end and reaps it.
    func wait() -> Termination {
        if let reaped { return reaped }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { reaped = .exited(-1); return .exited(-1) }
        }
        // WIFEXITED/WEXITSTATUS/WTERMSIG are macros Swift does not import.
        let signal = status & 0x7f
        let termination: Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        reaped = termination
        return termination
    }

    /// The error for a termination other than exit 0, or nil.
    func failure(for termination: Termination) -> ProgramError? {
        let tail = ProgramRunner.tail(of: String(decoding: stderr, as: UTF8.self))
        switch termination {
        case .exited(0): return nil
        case let .exited(status): return .failed(program: name, status: status, stderrTail: tail)
        case let .signaled(signal): return .killed(program: name, signal: signal, stderrTail: tail)
        }
    }
}
