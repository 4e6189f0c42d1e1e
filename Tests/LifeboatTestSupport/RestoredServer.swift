import ExternalProgram
import Foundation
import Postgres

/// A PostgreSQL server started on a data directory that `lifeboat restore
/// --data-dir` wrote: its own free port, its socket in `socketDirectory`, run
/// as the server's OS user. `waitUntilPromoted` waits for recovery to finish.
public final class RestoredServer {
    public let dataDirectory: String
    public let socketDirectory: String
    public let port: Int
    let programs = PostgresPrograms(binDirectory: nil)

    public init(dataDirectory: String, socketDirectory: String) throws {
        self.dataDirectory = dataDirectory
        self.socketDirectory = socketDirectory
        port = try FreePort.find()
    }

    public var logFile: String { socketDirectory + "/restored-\(port).log" }

    /// Starts the server; recovery runs in the background.
    public func start() throws {
        let options = "-p \(port) -c listen_addresses='' -c unix_socket_directories='\(socketDirectory)'"
        do {
            try run("pg_ctl", ["-D", dataDirectory, "-l", logFile, "-o", options, "-w", "-t", "120", "start"])
        } catch {
            throw TestPostgresError.startFailed("\(error.localizedDescription)\n\(log())")
        }
    }

    /// The tail of the server's log, for failure messages.
    public func log() -> String {
        ProgramRunner.tail(of: (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "")
    }

    public func connect(database: String = "postgres") throws -> PostgresConnection {
        try PostgresConnection(ConnectionParameters(host: socketDirectory, port: port, user: "postgres", database: database))
    }

    /// Waits until recovery has ended and the server accepts writes.
    public func waitUntilPromoted(timeout: TimeInterval = 120) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = try? connect().query("SELECT pg_is_in_recovery()").scalar(), value == "f" { return }
            usleep(200_000)
        }
        throw TestPostgresError.startFailed("recovery did not finish within \(Int(timeout)) s\n\(log())")
    }

    @discardableResult
    public func run(_ program: String, _ arguments: [String]) throws -> ProgramResult {
        try ProgramRunner.run(Program(try programs.path(of: program), arguments, user: OSUser.serverUser))
    }

    public func stop() {
        _ = try? run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
    }
}
