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
        return try Spawn.start(program, actions: &actions, newSession: true)
    }
}
