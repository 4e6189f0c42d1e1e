import CLibPQ
import Foundation

/// A libpq connection. One statement at a time; not shared between tasks.
public final class PostgresConnection {
    private let connection: OpaquePointer
    public let parameters: ConnectionParameters

    /// Connects, or throws `PostgresError.connectionFailed` with libpq's message.
    public init(_ parameters: ConnectionParameters) throws {
        self.parameters = parameters
        let pairs = parameters.keywords
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        var keywordPointers: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer($0) } + [nil]
        var valuePointers: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]
        guard let connection = PQconnectdbParams(&keywordPointers, &valuePointers, 0) else {
            throw PostgresError.connectionFailed(target: parameters.displayTarget, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError.connectionFailed(target: parameters.displayTarget, message: message)
        }
        self.connection = connection
        // Server notices (e.g. from DROP ... IF EXISTS) are not errors and must not reach stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit { PQfinish(connection) }

    /// Runs `sql` with `$1…$n` bound to `parameters` (text format; nil is NULL).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> QueryResult {
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        let result = pointers.withUnsafeMutableBufferPointer { buffer in
            PQexecParams(connection, sql, Int32(parameters.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        return try check(result, statement: sql)
    }

    /// The one place that turns a libpq result status into a Swift error.
    private func check(_ result: OpaquePointer?, statement: String) throws -> QueryResult {
        let shortStatement = Self.abbreviate(statement)
        guard let result else {
            throw PostgresError.queryFailed(statement: shortStatement, message: String(cString: PQerrorMessage(connection)), sqlState: nil)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return QueryResult(result)
        default:
            let message = String(cString: PQresultErrorMessage(result))
            let sqlState = PQresultErrorField(result, Self.diagnosticSQLState).map { String(cString: $0) }
            throw PostgresError.queryFailed(statement: shortStatement, message: message, sqlState: sqlState)
        }
    }

    /// `PG_DIAG_SQLSTATE`, a character-literal macro Swift does not import.
    private static let diagnosticSQLState = Int32(UInt8(ascii: "C"))

    private static func abbreviate(_ sql: String) -> String {
        let oneLine = sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return oneLine.count > 80 ? "'\(oneLine.prefix(77))...'" : "'\(oneLine)'"
    }

    /// The server's major version (15, 16, …), from the connection handshake.
    public var serverMajorVersion: Int { Int(PQserverVersion(connection)) / 10000 }
}

/// The rows of a query, copied out of libpq as text.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [[String?]]

    init(_ result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column in
                PQgetisnull(result, Int32(row), Int32(column)) == 1
                    ? nil
                    : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
        }
    }

    /// The single value of a one-row, one-column result.
    public func scalar() throws -> String? {
        guard rows.count == 1, columns.count == 1 else {
            throw PostgresError.unexpectedResult("expected one value, got \(rows.count) rows of \(columns.count) columns")
        }
        return rows[0][0]
    }

    /// The values of the first row by column name.
    public func firstRow() throws -> [String: String?] {
        guard let row = rows.first else { throw PostgresError.unexpectedResult("expected a row, got none") }
        return Dictionary(uniqueKeysWithValues: zip(columns, row))
    }
}
