import Foundation
import Postgres

/// The simulated disaster a drill declares at its start: when it happened and
/// how far the source's WAL had got. A real disaster at that moment would
/// leave exactly the WAL archived by then; everything the source committed
/// after the recovered point and before `lsn` is what it would have lost.
public struct DisasterPoint: Sendable {
    public var declaredAt: Date
    /// The source's facts at that moment; nil when it could not be reached.
    public var source: ServerFacts?
    /// Why the source could not be reached or read.
    public var sourceProblem: String?
    /// The source's WAL segment size (16 MiB when it could not be read).
    public var segmentSize: UInt64 { source?.walSegmentSize ?? 16 << 20 }

    /// The source's WAL insert position (`pg_current_wal_insert_lsn()`: every
    /// commit a client was told of, asynchronous ones included); nil for a
    /// standby or an unreachable source.
    public var lsn: LSN? { source?.insertLSN }

    /// Notes the moment and, when the source answers, its WAL position.
    public static func declare(at declaredAt: Date, source parameters: ConnectionParameters) -> DisasterPoint {
        do {
            let facts = try PostgresConnection(parameters).serverFacts()
            return DisasterPoint(declaredAt: declaredAt, source: facts, sourceProblem: nil)
        } catch {
            return DisasterPoint(declaredAt: declaredAt, source: nil, sourceProblem: error.localizedDescription)
        }
    }
}

/// Exact row counts of every permanent user table of some databases of the
/// source, each database read in one REPEATABLE READ snapshot taken when the
/// counting starts (at the declared disaster), counted in the background while
/// the drill restores.
public final class SourceRowCounts: @unchecked Sendable {
    /// `schema.table` → rows, per database; or why the database could not be counted.
    public typealias Counts = [String: Result<[String: Int64], CountError>]

    public struct CountError: Error, Sendable, Equatable {
        public var message: String
    }

    private var counts: Counts = [:]
    private let done = DispatchSemaphore(value: 0)

    /// Opens every database's snapshot now, then counts on a background thread.
    public init(databases: [String], connection: @escaping @Sendable (String) -> ConnectionParameters) {
        var snapshots: [(String, Result<PostgresConnection, CountError>)] = []
        for database in databases {
            do {
                let connection = try PostgresConnection(connection(database))
                try connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try connection.query("SELECT 1")
                snapshots.append((database, .success(connection)))
            } catch {
                snapshots.append((database, .failure(CountError(message: error.localizedDescription))))
            }
        }
        let opened = Snapshots(snapshots)
        let thread = Thread {
            let snapshots = opened.value
            var counts: Counts = [:]
            for (database, snapshot) in snapshots {
                counts[database] = snapshot.flatMap { connection in
                    Result { try Self.count(connection) }.mapError { CountError(message: $0.localizedDescription) }
                }
            }
            self.counts = counts
            self.done.signal()
        }
        thread.start()
    }

    /// Connections handed to the counting thread, which alone uses them from then on.
    private final class Snapshots: @unchecked Sendable {
        let value: [(String, Result<PostgresConnection, CountError>)]
        init(_ value: [(String, Result<PostgresConnection, CountError>)]) { self.value = value }
    }

    /// The counts, once the background thread has finished them.
    public func wait() -> Counts {
        done.wait()
        done.signal()
        return counts
    }

    /// Permanent tables (unlogged ones are empty after a physical recovery), partitions counted one by one.
    static let tablesQuery = """
        SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND c.relpersistence = 'p'
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
         ORDER BY 1
        """

    /// Every table's exact row count, in the connection's current snapshot.
    public static func count(_ connection: PostgresConnection) throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for row in try connection.query(tablesQuery).rows {
            guard let name = row[0] else { continue }
            counts[name] = Int64(try connection.query("SELECT count(*) FROM \(name)").scalar() ?? "") ?? 0
        }
        return counts
    }
}
