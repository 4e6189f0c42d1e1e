import ExternalProgram
import Foundation
import Postgres
import Testing

/// A throwaway PostgreSQL cluster for one test suite: `initdb` into a temporary
/// directory, a free TCP port on 127.0.0.1, the socket in the same temporary
/// directory, started and stopped with `pg_ctl`. When the tests run as root the
/// server runs as the `postgres` OS user, as in production.
///
/// Use the `.postgres` suite trait; tests then read `TestPostgres.current`.
public final class TestPostgres: Sendable {
    /// The cluster of the suite being run.
    @TaskLocal public static var current: TestPostgres?

    public let directory: TemporaryDirectory
    public let port: Int
    public let programs: PostgresPrograms
    /// The OS user the server runs as when tests run as root.
    public let osUser: String?

    public var dataDirectory: String { directory.appending("data") }
    /// The socket directory, also the `host` to connect to.
    public var socketDirectory: String { directory.path }
    public var logFile: String { directory.appending("server.log") }
    /// The database role: `postgres`, a superuser.
    public let superuser = "postgres"

    /// Connection settings for `database`.
    public func parameters(database: String = "postgres") -> ConnectionParameters {
        ConnectionParameters(host: socketDirectory, port: port, user: superuser, database: database)
    }

    /// A new connection to `database`.
    public func connect(database: String = "postgres") throws -> PostgresConnection {
        try PostgresConnection(parameters(database: database))
    }

    /// Starts a cluster with `settings` appended to postgresql.conf. A port
    /// taken between choosing it and binding it (suites start servers and
    /// moto in parallel) means another try on a new port.
    public static func start(settings: [String: String] = [:]) throws -> TestPostgres {
        var lastError: Error = TestPostgresError.startFailed("not started")
        for _ in 0..<3 {
            let server = try TestPostgres(settings: settings)
            do {
                try server.run("pg_ctl", ["-D", server.dataDirectory, "-l", server.logFile, "-w", "-t", "60", "start"])
                return server
            } catch {
                let log = (try? String(contentsOfFile: server.logFile, encoding: .utf8)) ?? ""
                server.directory.remove()
                lastError = TestPostgresError.startFailed("\(error.localizedDescription)\n\(ProgramRunner.tail(of: log))")
                if !log.contains("Address already in use") { break }
            }
        }
        throw lastError
    }

    private init(settings: [String: String]) throws {
        osUser = OSUser.serverUser
        directory = try TemporaryDirectory(prefix: "lifeboat-pg", owner: osUser)
        port = try FreePort.find()
        programs = PostgresPrograms(binDirectory: nil)
        try run("initdb", ["-D", dataDirectory, "-U", superuser, "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"])
        var conf: [String: String] = [
            "port": String(port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": "'\(socketDirectory)'",
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
            "wal_level": "replica",
            "max_wal_senders": "4",
            "shared_buffers": "32MB",
            "max_connections": "40",
        ]
        conf.merge(settings) { _, new in new }
        let lines = conf.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n")
        let confPath = (dataDirectory as NSString).appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: confPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(("\n# lifeboat test harness\n" + lines + "\n").utf8))
        try handle.close()
    }

    /// Runs one of PostgreSQL's programs as the server's OS user.
    @discardableResult
    public func run(_ program: String, _ arguments: [String]) throws -> ProgramResult {
        try ProgramRunner.run(Program(try programs.path(of: program), arguments, user: osUser, workingDirectory: directory.path))
    }

    /// Runs SQL through `psql` (for statements libpq's one-at-a-time `query` does not suit).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try programs.run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-h", socketDirectory, "-p", String(port), "-U", superuser, "-d", database],
                         input: Data(sql.utf8)).output
    }

    /// Creates a database and returns its name.
    @discardableResult
    public func createDatabase(_ name: String) throws -> String {
        try connect().query("CREATE DATABASE \"\(name)\"")
        return name
    }

    /// Stops the server immediately and removes everything it had.
    public func stop() {
        _ = try? run("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        directory.remove()
    }
}

public enum TestPostgresError: Error, CustomStringConvertible {
    case startFailed(String)
    case notInSuite

    public var description: String {
        switch self {
        case let .startFailed(detail): return "the test PostgreSQL did not start: \(detail)"
        case .notInSuite: return "TestPostgres.current is only set inside a suite with the .postgres trait"
        }
    }
}

extension TestPostgres {
    /// The suite's cluster, or an error when the test is not in a `.postgres` suite.
    public static func require() throws -> TestPostgres {
        guard let current else { throw TestPostgresError.notInSuite }
        return current
    }
}

/// Starts one PostgreSQL for the suite it is attached to, and always stops and
/// removes it afterwards, whether the tests passed, failed or threw.
public struct PostgresSuiteTrait: SuiteTrait, TestScoping {
    let settings: [String: String]

    public var isRecursive: Bool { false }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try TestPostgres.start(settings: settings)
        defer { server.stop() }
        try await TestPostgres.$current.withValue(server) {
            try await function()
        }
    }
}

extension Trait where Self == PostgresSuiteTrait {
    /// A throwaway PostgreSQL for this suite (see `TestPostgres`).
    public static var postgres: PostgresSuiteTrait { PostgresSuiteTrait(settings: [:]) }

    /// A throwaway PostgreSQL with extra postgresql.conf settings.
    public static func postgres(settings: [String: String]) -> PostgresSuiteTrait { PostgresSuiteTrait(settings: settings) }
}
