import Foundation

/// Errors talking to PostgreSQL or running its programs.
public enum PostgresError: Error, LocalizedError, Equatable {
    /// libpq could not connect; `message` is `PQerrorMessage`.
    case connectionFailed(target: String, message: String)
    /// The server rejected a statement.
    case queryFailed(statement: String, message: String, sqlState: String?)
    /// A result did not have the shape the caller expected.
    case unexpectedResult(String)
    /// A PostgreSQL program's major version does not fit the server's.
    case versionMismatch(program: String, path: String, programMajor: Int, serverMajor: Int, rule: String)
    /// A PostgreSQL program printed a version lifeboat cannot read.
    case unreadableVersion(program: String, output: String)

    public var errorDescription: String? {
        switch self {
        case let .connectionFailed(target, message):
            return "cannot connect to PostgreSQL at \(target): \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
        case let .queryFailed(statement, message, sqlState):
            let state = sqlState.map { " (SQLSTATE \($0))" } ?? ""
            return "PostgreSQL rejected \(statement)\(state): \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
        case let .unexpectedResult(detail):
            return "unexpected result from PostgreSQL: \(detail)"
        case let .versionMismatch(program, path, programMajor, serverMajor, rule):
            return "\(program) at \(path) is from PostgreSQL \(programMajor) but the server runs \(serverMajor) (\(rule)); "
                + "install the matching client programs or set postgres.bin_dir in the policy"
        case let .unreadableVersion(program, output):
            return "cannot read the version of \(program) from '\(output)'"
        }
    }
}
