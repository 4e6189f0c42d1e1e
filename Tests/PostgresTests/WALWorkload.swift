import Foundation
import LifeboatTestSupport
import Postgres

/// WAL written on purpose by a throwaway server: small and large rows, page
/// images plain and compressed, a rollback, a subtransaction, a two-phase
/// commit, a 20 kB logical message, a restore point, then a WAL switch.
struct WALWorkload {
    /// The segment file all of it is in.
    var segmentPath: String
    /// What `pg_create_restore_point('before-migration')` returned.
    var restorePointEnd: LSN
    /// What the closing `pg_switch_wal()` returned.
    var switchEnd: LSN
    var abortedXID: UInt32
    var preparedXID: UInt32

    static let restorePointName = "before-migration"
    static let messagePrefix = "lifeboat"
    static let messageSize = 20_000

    /// Runs the workload in a fresh segment and switches to the next one.
    static func run(on server: TestPostgres) throws -> WALWorkload {
        let table = "notes_\(UInt32.random(in: 1...UInt32.max))"
        let output = try server.psql("""
            SELECT 'start', pg_switch_wal();
            CREATE TABLE \(table) (id serial PRIMARY KEY, body text);
            ALTER TABLE \(table) ALTER COLUMN body SET STORAGE EXTERNAL;
            INSERT INTO \(table) (body) VALUES ('a small row');
            INSERT INTO \(table) (body) SELECT string_agg(md5(i::text), '') FROM generate_series(1, 640) i;
            CHECKPOINT;
            SET wal_compression = pglz;
            INSERT INTO \(table) (body) VALUES ('after a checkpoint: compressed page images');
            UPDATE \(table) SET body = body || '!' WHERE id = 1;
            SET wal_compression = off;
            BEGIN; INSERT INTO \(table) (body) VALUES ('rolled back'); SELECT 'aborted', pg_current_xact_id(); ROLLBACK;
            BEGIN; SAVEPOINT inner_work; INSERT INTO \(table) (body) VALUES ('in a subtransaction'); RELEASE inner_work;
            INSERT INTO \(table) (body) VALUES ('outer'); COMMIT;
            BEGIN; INSERT INTO \(table) (body) VALUES ('two-phase'); SELECT 'prepared', pg_current_xact_id();
            SAVEPOINT inner_work; INSERT INTO \(table) (body) VALUES ('two-phase, inner'); RELEASE inner_work;
            PREPARE TRANSACTION '\(table)';
            COMMIT PREPARED '\(table)';
            SELECT 'message', pg_logical_emit_message(true, '\(messagePrefix)', repeat('y', \(messageSize)));
            SELECT 'restore', lsn, pg_walfile_name(lsn) FROM pg_create_restore_point('\(restorePointName)') AS lsn;
            SELECT 'switch', pg_switch_wal();
            CHECKPOINT;
            """)
        var values: [String: [String]] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "|").map(String.init)
            if let label = fields.first { values[label] = Array(fields.dropFirst()) }
        }
        func value(_ label: String, _ index: Int = 0) throws -> String {
            guard let fields = values[label], index < fields.count else { throw WALDumpError.unreadable(output) }
            return fields[index]
        }
        guard let restore = LSN(try value("restore")), let switchEnd = LSN(try value("switch")),
              let aborted = UInt64(try value("aborted")), let prepared = UInt64(try value("prepared")) else {
            throw WALDumpError.unreadable(output)
        }
        return WALWorkload(
            segmentPath: walDirectory(of: server) + "/" + (try value("restore", 1)),
            restorePointEnd: restore, switchEnd: switchEnd,
            abortedXID: UInt32(truncatingIfNeeded: aborted), preparedXID: UInt32(truncatingIfNeeded: prepared)
        )
    }

    /// Writes one logical message of 34 MiB, more than two segments, so that
    /// one segment holds nothing but its middle; then switches.
    static func writeGiantRecord(on server: TestPostgres) throws {
        try server.psql("""
            SELECT pg_logical_emit_message(false, '\(messagePrefix)', repeat('w', 34 * 1024 * 1024));
            SELECT pg_switch_wal();
            """)
    }

    static func walDirectory(of server: TestPostgres) -> String { server.dataDirectory + "/pg_wal" }

    /// The segment files PostgreSQL has finished writing, oldest first.
    static func finishedSegments(of server: TestPostgres) throws -> [String] {
        let current = try server.psql("SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
        let directory = walDirectory(of: server)
        return try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.count == 24 && $0.allSatisfy(\.isHexDigit) && $0 < current }
            .sorted()
            .map { directory + "/" + $0 }
    }
}
