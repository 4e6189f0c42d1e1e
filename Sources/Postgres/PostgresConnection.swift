import CLibPQ
import Foundation

/// A libpq connection. One statement at a time; not shared between tasks.
public final class PostgresConnection {
    private let pq: lifeboat_libpq
    private let connection: OpaquePointer
    public let parameters: ConnectionParameters

    /// Connects, or throws `PostgresError.connectionFailed` with libpq's
    /// message (or why libpq itself could not be loaded).
    public init(_ parameters: ConnectionParameters) throws {
        self.parameters = parameters
        pq = try Self.libpq(target: parameters.displayTarget)
        let pairs = parameters.keywords
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        var keywordPointers: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer($0) } + [nil]
        var valuePointers: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]
        guard let connection = pq.connectdbParams(&keywordPointers, &valuePointers, 0) else {
            throw PostgresError.connectionFailed(target: parameters.displayTarget, message: "libpq could not allocate a connection")
        }
        guard pq.status(connection) == LIFEBOAT_CONNECTION_OK else {
            let message = String(cString: pq.errorMessage(connection))
            pq.finish(connection)
            throw PostgresError.connectionFailed(target: parameters.displayTarget, message: message)
        }
        self.connection = connection
        // Server notices (e.g. from DROP ... IF EXISTS) are not errors and must not reach stderr.
        _ = pq.setNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit { pq.finish(connection) }

    /// libpq's functions, loaded on the first connection (see `lifeboat_load_libpq`).
    private static func libpq(target: String) throws -> lifeboat_libpq {
        var error = [CChar](repeating: 0, count: 512)
        guard let table = lifeboat_load_libpq(&error, error.count) else {
            throw PostgresError.connectionFailed(target: target, message: String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return table.pointee
    }

    /// Runs `sql` with `$1…$n` bound to `parameters` (text format; nil is NULL).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> QueryResult {
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        let result = pointers.withUnsafeMutableBufferPointer { buffer in
            pq.execParams(connection, sql, Int32(parameters.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        return try check(result, statement: sql)
    }

    /// The one place that turns a libpq result status into a Swift error.
    private func check(_ result: OpaquePointer?, statement: String) throws -> QueryResult {
        let shortStatement = Self.abbreviate(statement)
        guard let result else {
            throw PostgresError.queryFailed(statement: shortStatement, message: String(cString: pq.errorMessage(connection)), sqlState: nil)
        }
        defer { pq.clear(result) }
        switch pq.resultStatus(result) {
        case LIFEBOAT_PGRES_TUPLES_OK, LIFEBOAT_PGRES_COMMAND_OK, LIFEBOAT_PGRES_EMPTY_QUERY:
            return QueryResult(result, pq)
        default:
            let message = String(cString: pq.resultErrorMessage(result))
            let sqlState = pq.resultErrorField(result, LIFEBOAT_PG_DIAG_SQLSTATE).map { String(cString: $0) }
            throw PostgresError.queryFailed(statement: shortStatement, message: message, sqlState: sqlState)
        }
    }

    private static func abbreviate(_ sql: String) -> String {
        let oneLine = sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return oneLine.count > 80 ? "'\(oneLine.prefix(77))...'" : "'\(oneLine)'"
    }

    /// The server's major version (15, 16, …), from the connection handshake.
    public var serverMajorVersion: Int { Int(pq.serverVersion(connection)) / 10000 }
}

/// The rows of a query, copied out of libpq as text.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [[String?]]

    init(_ result: OpaquePointer, _ pq: lifeboat_libpq) {
        let columnCount = Int(pq.nfields(result))
        let rowCount = Int(pq.ntuples(result))
        columns = (0..<columnCount).map { column in pq.fname(result, Int32(column)).map { String(cString: $0) } ?? "" }
        rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column in
                pq.getisnull(result, Int32(row), Int32(column)) == 1
                    ? nil
                    : String(cString: pq.getvalue(result, Int32(row), Int32(column)))
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
