import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// Point-in-time recovery end to end: a real PostgreSQL archives through
/// `lifeboat wal-push` (as the postgres OS user), a workload writes marker
/// rows, and restores to a time, a transaction, a restore point, an LSN, the
/// backup's consistent point and the end of the archive each come back with
/// exactly the markers before their target. Then a second recovery follows the
/// timeline a promoted restore created.
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "timezone": "'UTC'", "wal_keep_size": "'256MB'"]), .serialized)
struct PhysicalRecoveryTests {
    @Test func recoveryLandsExactlyBetweenTheMarkers() throws {
        let server = try TestPostgres.require()
        let fixture = try PhysicalFixture(server: server)
        defer { fixture.dir.remove() }
        let db = try server.connect()
        try db.query("CREATE TABLE markers (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())")
        try db.query("CREATE TABLE filler AS SELECT g, md5(g::text) AS t FROM generate_series(1, 50000) g")
        try db.query("CREATE INDEX ON filler (t)")
        try db.query("INSERT INTO markers (id) VALUES (1)")
        let backupID = try fixture.backup()

        try db.query("INSERT INTO markers (id) VALUES (2)")
        usleep(300_000)
        let time = try #require(try db.query("SELECT clock_timestamp()::text").scalar())
        usleep(300_000)
        let xid = try #require(try db.query("INSERT INTO markers (id) VALUES (3) RETURNING pg_current_xact_id()::text").scalar())
        try db.query("INSERT INTO markers (id) VALUES (4)")
        try db.query("SELECT pg_create_restore_point('before-5')")
        try db.query("INSERT INTO markers (id) VALUES (5)")
        let lsn = try #require(try db.query("SELECT pg_current_wal_insert_lsn()::text").scalar())
        try db.query("INSERT INTO markers (id) VALUES (6)")
        try fixture.archiveCurrentWAL(on: db)

        let list = try fixture.lifeboat(["list", "--json"])
        #expect(list.status == 0)
        struct Listing: Decodable {
            struct WAL: Decodable { let gaps: [[String: String?]]?; let first: String? }
            struct Window: Decodable { let from: String; let to: String?; let from_backup: String }
            let wal: WAL
            let recoverable: Window?
        }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(list.out.utf8))
        #expect(listing.recoverable?.from_backup == backupID)
        #expect(listing.recoverable?.to != nil)
        #expect(listing.wal.first != nil)

        #expect(try fixture.restoreAndReadMarkers(into: "by-time", ["--target-time", time, "--archive-mode", "off"]) == [1, 2])
        #expect(try fixture.restoreAndReadMarkers(into: "by-xid", ["--target-xid", xid, "--archive-mode", "off"]) == [1, 2, 3])
        #expect(try fixture.restoreAndReadMarkers(into: "by-name", ["--target-name", "before-5", "--archive-mode", "off"]) == [1, 2, 3, 4])
        #expect(try fixture.restoreAndReadMarkers(into: "by-lsn", ["--target-lsn", lsn, "--archive-mode", "off"]) == [1, 2, 3, 4, 5])
        #expect(try fixture.restoreAndReadMarkers(into: "immediate", ["--target-immediate", "--archive-mode", "off"]) == [1])
        #expect(try fixture.restoreAndReadMarkers(into: "end", ["--archive-mode", "off"]) == [1, 2, 3, 4, 5, 6])

        // A promoted restore starts timeline 2 and archives it through the same
        // policy (the default, --archive-mode preserve); a second point-in-time
        // recovery follows that timeline, and timeline 1 stays reachable by number.
        var timelineTwoTime = ""
        let promoted = try fixture.restoreAndReadMarkers(into: "timeline-2", ["--target-time", time, "--archive-mode", "preserve"]) { restored in
            let connection = try restored.connect()
            try connection.query("INSERT INTO markers (id) VALUES (7)")
            usleep(300_000)
            timelineTwoTime = try connection.query("SELECT clock_timestamp()::text").scalar() ?? ""
            usleep(300_000)
            try connection.query("INSERT INTO markers (id) VALUES (8)")
            try fixture.archiveCurrentWAL(on: connection)
        }
        #expect(promoted == [1, 2])
        #expect(try fixture.restoreAndReadMarkers(into: "on-timeline-2", ["--target-time", timelineTwoTime, "--archive-mode", "off"]) == [1, 2, 7])
        #expect(try fixture.restoreAndReadMarkers(into: "back-on-timeline-1", ["--target-timeline", "1", "--archive-mode", "off"]) == [1, 2, 3, 4, 5, 6])
        let timelines = try fixture.lifeboat(["list", "--json"])
        #expect(timelines.out.contains("\"timeline\" : 2"))
        let verify = try fixture.lifeboat(["verify", "--all"])
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")
    }
}

/// On the database host (`data_directory` set) a physical backup reads the
/// files itself between pg_backup_start and pg_backup_stop: what it leaves
/// out (unlogged tables' data, the server's pid file) and what it writes
/// (PostgreSQL's own backup_manifest, checked by pg_verifybackup) must come
/// back as from pg_basebackup, with rows written during the copy replayed.
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "timezone": "'UTC'"]), .serialized)
struct DirectCopyTests {
    @Test func aDirectCopyRestoresLikeAStreamedOne() throws {
        let server = try TestPostgres.require()
        let direct = try PhysicalFixture(server: server, extra: "\n  data_directory: \(server.dataDirectory)")
        defer { direct.dir.remove() }
        let db = try server.connect()
        try db.query("CREATE TABLE kept AS SELECT g, md5(g::text) AS t FROM generate_series(1, 20000) g")
        try db.query("CREATE UNLOGGED TABLE scratch AS SELECT g FROM generate_series(1, 1000) g")
        let result = try direct.lifeboat(["backup", "--type", "physical", "--json"])
        try #require(result.status == 0, "\(result.err)")
        #expect(result.out.contains("\"source\" : \"data_directory\""), "\(result.out)")
        try db.query("INSERT INTO kept VALUES (0, 'after the backup')")
        try direct.archiveCurrentWAL(on: db)

        let directory = direct.restoreDirectory("direct")
        let restored = try direct.lifeboat(["restore", "--data-dir", directory, "--archive-mode", "off"])
        try #require(restored.status == 0, "\(restored.err)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/postmaster.pid"))
        try server.run("pg_verifybackup", ["--no-parse-wal", directory])  // throws unless it exits 0
        let copy = try RestoredServer(dataDirectory: directory, socketDirectory: direct.dir.path)
        try copy.start()
        defer { copy.stop() }
        try copy.waitUntilPromoted()
        let connection = try copy.connect()
        #expect(try connection.query("SELECT count(*) FROM kept").scalar() == "20001")
        #expect(try connection.query("SELECT count(*) FROM scratch").scalar() == "0")
        #expect(try direct.lifeboat(["verify"]).status == 0)

        // Without data_directory the same server is streamed by pg_basebackup.
        let streamed = try PhysicalFixture(server: server, name: "streamed")
        defer { streamed.dir.remove() }
        let other = try streamed.lifeboat(["backup", "--type", "physical", "--json"])
        try #require(other.status == 0, "\(other.err)")
        #expect(other.out.contains("\"source\" : \"pg_basebackup\""), "\(other.out)")
    }
}
