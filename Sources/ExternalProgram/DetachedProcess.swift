import CProcessSupport
import Foundation

/// Starts a program in its own session, detached from this process: standard
/// input and output go to `/dev/null`, and nobody waits for it. Used for work
/// that should outlive a short-lived command, such as prefetching WAL while
/// PostgreSQL replays what `restore_command` already delivered.
public enum DetachedProcess {
    /// Starts `program` and returns its process id.
    @discardableResult
    public static func start(_ program: Program) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) | lifeboat_spawn_setsid_flag())
        let launch = program.launchLine
        let argv = ([launch.executable] + launch.arguments).map { strdup($0) } + [nil]
        let envp = program.mergedEnvironment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, launch.executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw ProgramError.launchFailed(program: program.name, reason: "\(launch.executable): \(String(cString: strerror(status)))")
        }
        return child
    }
}
