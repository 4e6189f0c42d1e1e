import CProcessSupport
import Foundation

/// One invocation of an external program: what to run, with which arguments and
/// environment, and as which OS user.
///
/// Secrets never go in `arguments` (they would show in `/proc/*/cmdline`); pass
/// them through `environment` or standard input.
public struct Program: Sendable {
    /// Absolute path of the executable.
    public var executable: String
    public var arguments: [String]
    /// Variables added to (or replacing those of) this process's environment.
    public var environment: [String: String]
    /// Variables removed from the inherited environment.
    public var unsetEnvironment: Set<String>
    /// Run as this OS user (through `runuser`) when lifeboat itself runs as root;
    /// ignored otherwise. PostgreSQL's server programs refuse to run as root.
    public var user: String?
    /// Working directory; the current one when nil.
    public var workingDirectory: String?

    public init(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        unsetEnvironment: Set<String> = [],
        user: String? = nil,
        workingDirectory: String? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.unsetEnvironment = unsetEnvironment
        self.user = user
        self.workingDirectory = workingDirectory
    }

    /// The short name used in messages (`pg_dump`, not `/usr/lib/postgresql/15/bin/pg_dump`).
    public var name: String { (executable as NSString).lastPathComponent }

    /// The command line actually started: wrapped in `runuser` when switching user.
    var launchLine: (executable: String, arguments: [String]) {
        if let user, geteuid() == 0, user != "root" {
            return ("/usr/sbin/runuser", ["-u", user, "--", executable] + arguments)
        }
        return (executable, arguments)
    }

    var mergedEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        if lifeboat_gnutls_setting_is_ours() != 0 { env.removeValue(forKey: "GNUTLS_NO_IMPLICIT_INIT") }
        for name in unsetEnvironment { env.removeValue(forKey: name) }
        env.merge(environment) { _, new in new }
        return env
    }
}
