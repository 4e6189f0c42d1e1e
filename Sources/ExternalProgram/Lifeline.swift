import CProcessSupport
import Foundation

/// A detached watcher of this process: a program started in its own session
/// whose standard input is a pipe that only this process writes to. When this
/// process ends — normally, on a signal, or killed with SIGKILL — the kernel
/// closes the pipe and the watcher reads end-of-file, which is its cue to clean
/// up after us. The write end is close-on-exec, so no other child holds it open.
public final class Lifeline {
    /// The watcher's process id.
    public let pid: pid_t
    private var writeEnd: Int32

    /// Starts `program` watching this process; its stdout and stderr go to `/dev/null`.
    public init(watcher program: Program) throws {
        var fds: [Int32] = [-1, -1]
        guard lifeboat_pipe_cloexec(&fds) == 0 else {
            throw ProgramError.launchFailed(program: program.name, reason: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        do {
            pid = try Spawn.start(program, actions: &actions, newSession: true)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[0])
        writeEnd = fds[1]
    }

    /// Tells the watcher this process is done (as its exit would) and reaps it.
    public func cut() {
        guard writeEnd >= 0 else { return }
        close(writeEnd)
        writeEnd = -1
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }

    deinit { cut() }

    /// In the watcher: blocks until the watched process has ended (standard input reaches end-of-file).
    public static func waitForWatchedProcess() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(0, &buffer, buffer.count)
            if count == 0 || (count < 0 && errno != EINTR) { return }
        }
    }
}
