/// Where and as whom to connect. Anything left nil is filled in by libpq from the
/// standard environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
/// `PGPASSFILE`, …) and `~/.pgpass`, exactly as `psql` would.
public struct ConnectionParameters: Sendable, Equatable {
    /// Host name, IP address, or a socket directory (a path starting with `/`).
    public var host: String?
    public var port: Int?
    public var user: String?
    public var database: String?
    public var applicationName: String

    public init(host: String? = nil, port: Int? = nil, user: String? = nil, database: String? = nil, applicationName: String = "lifeboat") {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.applicationName = applicationName
    }

    /// The keyword/value pairs handed to `PQconnectdbParams`. Never includes a
    /// password: that comes from the environment or a password file only.
    public var keywords: [(String, String)] {
        var pairs: [(String, String)] = [("application_name", applicationName)]
        if let host { pairs.append(("host", host)) }
        if let port { pairs.append(("port", String(port))) }
        if let user { pairs.append(("user", user)) }
        if let database { pairs.append(("dbname", database)) }
        return pairs
    }

    /// The same settings as environment variables for PostgreSQL's programs
    /// (`pg_dump` and friends read `PGHOST`, `PGPORT`, …).
    public var environment: [String: String] {
        var env: [String: String] = [:]
        if let host { env["PGHOST"] = host }
        if let port { env["PGPORT"] = String(port) }
        if let user { env["PGUSER"] = user }
        if let database { env["PGDATABASE"] = database }
        env["PGAPPNAME"] = applicationName
        return env
    }

    /// A short description for messages: `host:port/database`, no secrets.
    public var displayTarget: String {
        let h = host ?? "(PGHOST or default socket)"
        let p = port.map { ":\($0)" } ?? ""
        let d = database.map { "/\($0)" } ?? ""
        return h + p + d
    }
}
