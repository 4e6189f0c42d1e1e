import CProcessSupport
import Foundation

/// `posix_spawn` as every child of lifeboat is started: default signal
/// handling and an empty signal mask (whatever lifeboat ignores or blocks),
/// the program's merged environment, `runuser` when it runs as another user.
enum Spawn {
    /// Starts `program` with the file actions already prepared; `newSession`
    /// puts it in a session of its own (detached from lifeboat's terminal and signals).
    static func start(_ program: Program, actions: inout posix_spawn_file_actions_t, newSession: Bool = false) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var flags = Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if newSession { flags |= lifeboat_spawn_setsid_flag() }
        posix_spawnattr_setflags(&attributes, flags)

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
