import Foundation

/// Whether a PostgreSQL server runs on a data directory, from its `postmaster.pid`.
public enum RunningServer {
    /// The pid in `postmaster.pid` when that process is alive; nil otherwise.
    public static func pid(dataDirectory: String) -> Int32? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first, let pid = Int32(first.trimmingCharacters(in: .whitespaces)), pid > 0 else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM ? pid : nil
    }
}

extension PostgresConnection {
    /// The databases that accept connections, templates aside, by name.
    public func connectableDatabases() throws -> [String] {
        try query("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1").rows.compactMap { $0[0] }
    }
}
