import Archive
import ExternalProgram
import Foundation
import Postgres

/// A throwaway PostgreSQL cluster for one drill, in its own directory under
/// the policy's `drill.workspace`:
///
/// ```
/// <workspace>/<drill id>/            0700, owned by postgres.os_user (when run as root)
///     data/                          the restored (physical) or initdb'd (logical) data directory
///     .s.PGSQL.<port>                the server's only socket (no TCP)
///     pg_hba.conf, pg_ident.conf     local trust: only this user (and root) can enter the directory
///     server.log                     the server's log, read for the recovery facts
///     spool/                         logical dumps fetched before pg_restore
/// ```
///
/// The server runs as `os_user` on a free port with `listen_addresses = ''`,
/// `archive_mode = off` and its own authentication files, whatever the
/// restored configuration says: settings given to `pg_ctl -o` win over every
/// configuration file. `tearDown` stops it and removes the directory; a
/// `DrillGuard` does the same if the drill process disappears.
public final class ScratchCluster: @unchecked Sendable {
    public let directory: String
    public let port: Int
    /// The database role to connect as (trust authentication).
    public let superuser: String
    public let osUser: String?
    public let programs: PostgresPrograms

    public var dataDirectory: String { directory + "/data" }
    public var logFile: String { directory + "/server.log" }
    public var spoolDirectory: String { directory + "/spool" }

    /// Creates `<workspace>/<id>/`, owned by `osUser` when run as root.
    public init(workspace: String, id: String, superuser: String, osUser: String, programs: PostgresPrograms) throws {
        let owner = try FileOwner.forOSUser(osUser)
        self.osUser = owner == nil ? nil : osUser
        self.superuser = superuser
        self.programs = programs
        directory = workspace + "/" + id
        port = try FreePort.find()
        let socket = directory + "/.s.PGSQL.\(port)"
        guard socket.utf8.count < 100 else { throw DrillError.workspacePathTooLong(workspace: workspace) }
        for path in [workspace, directory] {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } else if !isDirectory.boolValue {
                throw DrillError.workspaceNotDirectory(path: path)
            }
            if let owner, chown(path, owner.uid, owner.gid) != 0 {
                throw LocalFile.Failure(operation: "chown", path: path, code: errno)
            }
        }
        try FileManager.default.createDirectory(atPath: spoolDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        if let owner { chown(spoolDirectory, owner.uid, owner.gid) }
        try write("# lifeboat drill: only the drill's own user reaches this socket directory\nlocal all all trust\n", to: "pg_hba.conf", owner: owner)
        try write("", to: "pg_ident.conf", owner: owner)
    }

    /// `initdb` for a logical restore: UTF-8, the C locale's rules unless the
    /// databases bring their own, `superuser` as the bootstrap role.
    public func initdb() throws {
        try run("initdb", ["-D", dataDirectory, "-U", superuser, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
    }

    /// Starts the server and waits until it accepts connections (for a
    /// recovering server: once it is consistent), at most `timeout` seconds.
    public func start(timeout: Int) throws {
        let settings = [
            "port": String(port), "listen_addresses": "", "unix_socket_directories": directory,
            "hba_file": directory + "/pg_hba.conf", "ident_file": directory + "/pg_ident.conf",
            "archive_mode": "off", "ssl": "off", "hot_standby": "on", "logging_collector": "off",
            "log_destination": "stderr", "timezone": "UTC", "log_timezone": "UTC", "cluster_name": "lifeboat-drill",
        ]
        let options = settings.sorted { $0.key < $1.key }.map { "-c " + RecoverySettings.shellQuoted("\($0.key)=\($0.value)") }
            .joined(separator: " ")
        do {
            try run("pg_ctl", ["-D", dataDirectory, "-l", logFile, "-o", options, "-w", "-t", String(timeout), "start"])
        } catch {
            throw DrillError.serverDidNotStart(detail: error.localizedDescription, log: logTail())
        }
    }

    /// Waits until recovery has ended and the server accepts writes.
    public func waitUntilPromoted(timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = try? connect().query("SELECT pg_is_in_recovery()").scalar(), value == "f" { return }
            guard RunningServer.pid(dataDirectory: dataDirectory) != nil else { throw DrillError.recoveryFailed(log: logTail()) }
            usleep(100_000)
        }
        throw DrillError.recoveryTimedOut(seconds: Int(timeout), log: logTail())
    }

    public func connect(database: String = "postgres") throws -> PostgresConnection {
        try PostgresConnection(connectionParameters(database: database))
    }

    public func connectionParameters(database: String) -> ConnectionParameters {
        ConnectionParameters(host: directory, port: port, user: superuser, database: database, applicationName: "lifeboat drill")
    }

    /// The server log, and its last lines for messages.
    public func log() -> String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }
    public func logTail() -> String { ProgramRunner.tail(of: log()) }

    /// Stops the server (immediately: nothing in it is worth a checkpoint) and removes the directory.
    public func tearDown() {
        Self.tearDown(directory: directory, pgCtl: try? programs.path(of: "pg_ctl"), osUser: osUser)
    }

    /// Stops a scratch server in `directory/data` if one runs, and removes `directory`.
    /// Used by the drill, and by its guard when the drill process is gone.
    public static func tearDown(directory: String, pgCtl: String?, osUser: String?) {
        let data = directory + "/data"
        if let pid = RunningServer.pid(dataDirectory: data) {
            if let pgCtl {
                _ = try? ProgramRunner.run(Program(pgCtl, ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], user: osUser), allowFailure: true)
            }
            if RunningServer.pid(dataDirectory: data) != nil { kill(pid, SIGQUIT) }
        }
        // Processes still writing into the directory (an initdb, a prefetcher)
        // can race the removal: try until it is gone.
        for _ in 0..<50 {
            try? FileManager.default.removeItem(atPath: directory)
            if !FileManager.default.fileExists(atPath: directory) { return }
            usleep(100_000)
        }
    }

    @discardableResult
    func run(_ program: String, _ arguments: [String]) throws -> ProgramResult {
        try ProgramRunner.run(Program(try programs.path(of: program), arguments, user: osUser, workingDirectory: directory))
    }

    private func write(_ text: String, to name: String, owner: FileOwner?) throws {
        let path = directory + "/" + name
        let file = try LocalFile.creating(path)
        try Array(text.utf8).withUnsafeBytes { try file.write($0) }
        try file.close()
        if let owner { chown(path, owner.uid, owner.gid) }
    }
}
