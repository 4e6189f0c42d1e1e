import CProcessSupport
import Foundation

/// How a child process ended.
public enum Termination: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
}

/// A child started with `posix_spawn`, its stdout and stderr on pipes (and its
/// stdin on a pipe or `/dev/null`). The parent's copies of the child's pipe ends
/// are closed right after spawning, so end-of-file on stdout and stderr means
/// the child (and anything it handed them to) has closed them.
final class SpawnedProcess {
    let pid: pid_t
    let name: String
    private var stdinWrite: Int32
    private var stdoutRead: Int32
    private var stderrRead: Int32

    init(_ program: Program, pipeStdin: Bool) throws {
        name = program.name
        let launch = program.launchLine
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

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and nothing blocked,
        // whatever this process (which ignores SIGPIPE) has set.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([launch.executable] + launch.arguments).map { strdup($0) } + [nil]
        let envp = program.mergedEnvironment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, launch.executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            for fd in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] where fd >= 0 { close(fd) }
            throw ProgramError.launchFailed(program: program.name, reason: "\(launch.executable): \(String(cString: strerror(status)))")
        }
        pid = child
        stdinWrite = stdinPipe[1]
        stdoutRead = stdoutPipe[0]
        stderrRead = stderrPipe[0]
    }

    deinit {
        for fd in [stdinWrite, stdoutRead, stderrRead] where fd >= 0 { close(fd) }
    }

    /// Writes `input` to the child's stdin (then closes it) while collecting
    /// stdout and stderr, until both reach end-of-file.
    func exchange(input: Data, stdout: inout Data, stderr: inout Data) throws {
        var written = 0
        if stdinWrite >= 0 {
            _ = fcntl(stdinWrite, F_SETFL, fcntl(stdinWrite, F_GETFL) | O_NONBLOCK)
            if input.isEmpty { closeStdin() }
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while stdoutRead >= 0 || stderrRead >= 0 {
            var fds: [pollfd] = []
            if stdoutRead >= 0 { fds.append(pollfd(fd: stdoutRead, events: Int16(POLLIN), revents: 0)) }
            if stderrRead >= 0 { fds.append(pollfd(fd: stderrRead, events: Int16(POLLIN), revents: 0)) }
            if stdinWrite >= 0 { fds.append(pollfd(fd: stdinWrite, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw ProgramError.launchFailed(program: name, reason: "poll: \(String(cString: strerror(errno)))")
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdinWrite {
                    let n = input.withUnsafeBytes { bytes in
                        Foundation.write(stdinWrite, bytes.baseAddress! + written, bytes.count - written)
                    }
                    if n > 0 { written += n }
                    // A child that exits without reading its input closes the pipe (EPIPE): stop feeding it.
                    if n < 0, errno != EAGAIN, errno != EINTR { closeStdin() }
                    if written == input.count { closeStdin() }
                    continue
                }
                let n = buffer.withUnsafeMutableBytes { Foundation.read(entry.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if entry.fd == stdoutRead { stdout.append(contentsOf: buffer[0..<n]) } else { stderr.append(contentsOf: buffer[0..<n]) }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    if entry.fd == stdoutRead { stdoutRead = -1 } else { stderrRead = -1 }
                }
            }
        }
        closeStdin()
    }

    private func closeStdin() {
        if stdinWrite >= 0 {
            close(stdinWrite)
            stdinWrite = -1
        }
    }

    /// Waits for the child to end and reaps it.
    func wait() -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(-1) }
        }
        // WIFEXITED/WEXITSTATUS/WTERMSIG are macros Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}
