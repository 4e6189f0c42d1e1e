import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// What an operator relies on around physical backups besides the happy path:
/// archive_command and restore_command semantics, targets that cannot be
/// reached, directories that must not be overwritten, backups whose WAL never
/// arrives, and damage that verify must find.
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "timezone": "'UTC'", "wal_keep_size": "'256MB'"]), .serialized)
struct PhysicalSafetyTests {
    /// A finished segment of the suite's server, copied to `directory` (owned by the server's user).
    func finishedSegment(_ fixture: PhysicalFixture, into directory: String) throws -> String {
        let db = try fixture.server.connect()
        try db.query("CREATE TABLE IF NOT EXISTS churn (t text)")
        try db.query("INSERT INTO churn SELECT md5(g::text) FROM generate_series(1, 2000) g")
        let name = try #require(try db.query("SELECT pg_walfile_name(pg_switch_wal())").scalar())
        try fixture.archiveCurrentWAL(on: db)
        let copy = directory + "/" + name
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: fixture.server.dataDirectory + "/pg_wal/" + name, toPath: copy)
        if let user = OSUser.serverUser { try OSUser.chown(copy, to: user) }
        return copy
    }

    @Test func walPushIsIdempotentRefusesConflictsAndWalFetchReturnsTheSameBytes() throws {
        let fixture = try PhysicalFixture(server: try TestPostgres.require())
        defer { fixture.dir.remove() }
        let scratch = fixture.dir.appending("scratch")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        if let user = OSUser.serverUser { try OSUser.chown(scratch, to: user) }
        let segment = try finishedSegment(fixture, into: scratch)
        let name = (segment as NSString).lastPathComponent
        let original = try Data(contentsOf: URL(fileURLWithPath: segment))

        // The server archived it already: pushing the same bytes again succeeds.
        let again = try fixture.lifeboat(["wal-push", segment])
        #expect(again.status == 0)
        #expect(again.err.contains("already archived with identical content"))

        // Different bytes under the same name: exit 5, nothing overwritten.
        var altered = original
        altered[original.count / 2] ^= 0xff
        try altered.write(to: URL(fileURLWithPath: segment))
        let conflict = try fixture.lifeboat(["wal-push", segment])
        #expect(conflict.status == 5)
        #expect(conflict.err.contains("different content"))

        // wal-fetch writes exactly what was archived first.
        let fetched = scratch + "/fetched"
        let fetch = try fixture.lifeboat(["wal-fetch", "--no-prefetch", name, fetched])
        #expect(fetch.status == 0, "\(fetch.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: fetched)) == original)

        // A segment that was never archived: exit 1 and not a word (end of recovery).
        let missing = try fixture.lifeboat(["wal-fetch", "0000000100000000000000FF", scratch + "/nothing"])
        #expect(missing.status == 1)
        #expect(missing.err.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: scratch + "/nothing"))

        // A segment of another cluster (another system identifier) is refused: exit 2.
        var foreign = original
        foreign[24] ^= 0x01
        let foreignName = scratch + "/" + String(name.prefix(16)) + "000000F0"
        var header = foreign
        // Its page address must match its name, segment 0xF0 of log 0.
        let address = UInt64(0xF0) * UInt64(original.count)
        for index in 0..<8 { header[8 + index] = UInt8(truncatingIfNeeded: address >> (8 * UInt64(index))) }
        try header.write(to: URL(fileURLWithPath: foreignName))
        if let user = OSUser.serverUser { try OSUser.chown(foreignName, to: user) }
        let refused = try fixture.lifeboat(["wal-push", foreignName])
        #expect(refused.status == 2)
        #expect(refused.err.contains("system identifier"))

        // Something that is not WAL at all.
        let junk = scratch + "/" + String(name.prefix(16)) + "000000F1"
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: junk))
        if let user = OSUser.serverUser { try OSUser.chown(junk, to: user) }
        #expect(try fixture.lifeboat(["wal-push", junk]).status == 1)
    }

    @Test func walFetchPrefetchesTheFollowingSegments() throws {
        let fixture = try PhysicalFixture(server: try TestPostgres.require())
        defer { fixture.dir.remove() }
        let scratch = fixture.dir.appending("pg_wal")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        if let user = OSUser.serverUser { try OSUser.chown(scratch, to: user) }
        var names: [String] = []
        for _ in 0..<4 { names.append((try finishedSegment(fixture, into: scratch) as NSString).lastPathComponent) }
        let first = names[0]
        let fetch = try fixture.lifeboat(["wal-fetch", first, scratch + "/RECOVERYXLOG"])
        #expect(fetch.status == 0, "\(fetch.err)")
        // The detached prefetcher fills the spool with the segments after it.
        let spool = scratch + "/.lifeboat-prefetch"
        let deadline = Date().addingTimeInterval(30)
        var prefetched: Set<String> = []
        while Date() < deadline {
            prefetched = Set((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? [])
            if prefetched.isSuperset(of: names.dropFirst()) { break }
            usleep(100_000)
        }
        #expect(prefetched.isSuperset(of: names.dropFirst()), "spool holds \(prefetched.sorted())")
        // The next request is served from the spool, byte for byte.
        let second = try fixture.lifeboat(["wal-fetch", names[1], scratch + "/RECOVERYXLOG"])
        #expect(second.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch + "/RECOVERYXLOG"))
            == Data(contentsOf: URL(fileURLWithPath: scratch + "/" + names[1])))
        #expect(!FileManager.default.fileExists(atPath: spool + "/" + names[1]))
    }

    @Test func unreachableTargetsAndOccupiedDirectoriesAreRefusedAndDeltaRepairs() throws {
        let server = try TestPostgres.require()
        let fixture = try PhysicalFixture(server: server)
        defer { fixture.dir.remove() }
        let db = try server.connect()
        try db.query("CREATE TABLE IF NOT EXISTS kept AS SELECT g FROM generate_series(1, 1000) g")
        let before = try #require(try db.query("SELECT (now() - interval '1 hour')::text").scalar())
        _ = try fixture.backup()
        try db.query("INSERT INTO kept VALUES (1001)")
        try fixture.archiveCurrentWAL(on: db)

        let early = try fixture.lifeboat(["restore", "--data-dir", fixture.restoreDirectory("early"), "--target-time", before])
        #expect(early.status == 1)
        #expect(early.err.contains("Recoverable window"))
        #expect(!FileManager.default.fileExists(atPath: fixture.restoreDirectory("early")), "nothing is written for a refused target")

        let future = try fixture.lifeboat(["restore", "--data-dir", fixture.restoreDirectory("future"), "--target-lsn", "FFFF/0"])
        #expect(future.status == 1)
        #expect(future.err.contains("past the last complete record in the archived WAL"))

        let unknown = try fixture.lifeboat(["restore", "--data-dir", fixture.restoreDirectory("unknown"), "--target-name", "no-such-point"])
        #expect(unknown.status == 1)
        #expect(unknown.err.contains("no restore point named"))

        let target = fixture.restoreDirectory("delta")
        #expect(try fixture.lifeboat(["restore", "--data-dir", target, "--archive-mode", "off"]).status == 0)
        let occupied = try fixture.lifeboat(["restore", "--data-dir", target, "--archive-mode", "off"])
        #expect(occupied.status == 1)
        #expect(occupied.err.contains("--delta"))

        // Damage the directory: a changed file, a stray file; --delta repairs both and keeps the rest.
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: target + "/PG_VERSION"))
        try Data("stray".utf8).write(to: URL(fileURLWithPath: target + "/stray-file"))
        let delta = try fixture.lifeboat(["restore", "--data-dir", target, "--delta", "--archive-mode", "off", "--json"])
        #expect(delta.status == 0, "\(delta.err)")
        struct Report: Decodable { let files_kept: Int }
        let kept = try JSONDecoder().decode(Report.self, from: Data(delta.out.utf8)).files_kept
        #expect(kept > 100)
        #expect(!FileManager.default.fileExists(atPath: target + "/stray-file"))
        try server.run("pg_verifybackup", ["--no-parse-wal", target])
        let restored = try RestoredServer(dataDirectory: target, socketDirectory: fixture.dir.path)
        try restored.start()
        defer { restored.stop() }
        try restored.waitUntilPromoted()
        #expect(try restored.connect().query("SELECT count(*) FROM kept").scalar() == "1001")

        // A directory a server runs on is refused even with --delta.
        let running = try fixture.lifeboat(["restore", "--data-dir", target, "--delta"])
        #expect(running.status == 1)
        #expect(running.err.contains("is running"))
    }

    @Test func aBackupWhoseWALNeverArrivesIsNotKept() throws {
        let server = try TestPostgres.require()
        // WAL goes to cluster "archived"; the backup of cluster "orphan" waits for its own WAL in vain.
        let archived = try PhysicalFixture(server: server, name: "archived")
        defer { archived.dir.remove() }
        let orphan = try PhysicalFixture(server: server, name: "orphan", extra: "\n  wal_wait: 2s", archiveInto: archived.policy)
        defer { orphan.dir.remove() }
        let result = try orphan.lifeboat(["backup", "--type", "physical"])
        #expect(result.status == 1)
        #expect(result.err.contains("did not reach the repository"))
        let list = try orphan.lifeboat(["list"])
        #expect(list.out.contains("no backups"))
        let leftovers = (FileManager.default.subpaths(atPath: orphan.dir.appending("repo/orphan/backups")) ?? []).filter { !$0.hasSuffix("/") }
        #expect(leftovers.allSatisfy { !$0.contains("data-") && !$0.contains("manifest") }, "\(leftovers)")
    }

    @Test func aBackupStopsWhenArchivingIsBroken() throws {
        let server = try TestPostgres.require()
        let fixture = try PhysicalFixture(server: server, extra: "\n  wal_wait: 3s")
        defer { fixture.dir.remove() }
        try fixture.setArchiveCommand("/bin/false")
        defer { try? fixture.setArchiveCommand("\(LifeboatBinary.path) wal-push --policy \(fixture.policy) %p") }
        let started = Date()
        let result = try fixture.lifeboat(["backup", "--type", "physical"])
        #expect(result.status == 1)
        #expect(result.err.contains("archived"), "\(result.err)")
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(try fixture.lifeboat(["list"]).out.contains("no backups"))
    }

    @Test func verifyFindsADamagedPartAndAMissingSegment() throws {
        let server = try TestPostgres.require()
        let fixture = try PhysicalFixture(server: server, name: "damaged")
        defer { fixture.dir.remove() }
        let id = try fixture.backup()
        #expect(try fixture.lifeboat(["verify"]).status == 0)

        let part = fixture.dir.appending("repo/damaged/backups/\(id)/data-0001")
        let intact = try Data(contentsOf: URL(fileURLWithPath: part))
        var bytes = intact
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: part))
        let damaged = try fixture.lifeboat(["verify", "--json"])
        #expect(damaged.status == 5)
        #expect(damaged.out.contains("\"ok\" : false"))
        try intact.write(to: URL(fileURLWithPath: part))
        #expect(try fixture.lifeboat(["verify"]).status == 0)

        // A segment missing in the middle of the archive: a gap in list, a finding in verify.
        let db = try server.connect()
        for _ in 0..<3 {
            try db.query("CREATE TABLE IF NOT EXISTS churn (t text)")
            try db.query("INSERT INTO churn SELECT md5(g::text) FROM generate_series(1, 500) g")
            try fixture.archiveCurrentWAL(on: db)
        }
        let walDirectory = fixture.dir.appending("repo/damaged/wal/00000001")
        let segments = try FileManager.default.contentsOfDirectory(atPath: walDirectory).filter { $0.count == 24 }.sorted()
        let middle = segments[segments.count - 2]
        try FileManager.default.removeItem(atPath: walDirectory + "/" + middle)
        let list = try fixture.lifeboat(["list", "--json"])
        #expect(list.out.contains("\"from\" : \"\(middle)\""), "the gap is listed: \(list.out)")
        let verify = try fixture.lifeboat(["verify"])
        #expect(verify.status == 5)
        #expect(verify.out.contains("BAD  wal archive: missing WAL: \(middle)"))

        // The backup's own WAL missing: its restore is refused up front (exit 5).
        struct Listing: Decodable { struct Backup: Decodable { let start_lsn: String }; let backups: [Backup] }
        let start = try #require(LSN(try JSONDecoder().decode(Listing.self, from: Data(list.out.utf8)).backups[0].start_lsn))
        let first = WALFileName.segment(timeline: 1, containing: start, segmentSize: 16 << 20).description
        try FileManager.default.removeItem(atPath: walDirectory + "/" + first)
        let restore = try fixture.lifeboat(["restore", "--data-dir", fixture.restoreDirectory("nowal")])
        #expect(restore.status == 5)
        #expect(restore.err.contains("missing"))
    }

    @Test func tablespacesAreRefusedWithAClearMessage() throws {
        let server = try TestPostgres.require()
        let fixture = try PhysicalFixture(server: server, name: "spaces")
        defer { fixture.dir.remove() }
        let location = fixture.dir.appending("tablespace")
        try FileManager.default.createDirectory(atPath: location, withIntermediateDirectories: true)
        if let user = OSUser.serverUser { try OSUser.chown(location, to: user) }
        let db = try server.connect()
        try db.query("CREATE TABLESPACE elsewhere LOCATION '\(location)'")
        defer { _ = try? db.query("DROP TABLESPACE elsewhere") }
        let result = try fixture.lifeboat(["backup", "--type", "physical"])
        #expect(result.status == 1)
        #expect(result.err.contains("tablespaces") && result.err.contains("elsewhere"))
        #expect(try fixture.lifeboat(["list"]).out.contains("no backups"))
    }

    @Test func aRestoreRunAsRootHandsTheDirectoryToThePostgresUser() throws {
        let server = try TestPostgres.require()
        guard let user = OSUser.serverUser, let ids = OSUser.ids(of: user) else { return }
        let fixture = try PhysicalFixture(server: server, name: "owned")
        defer { fixture.dir.remove() }
        _ = try fixture.backup()
        let target = fixture.restoreDirectory("as-root")
        let restored = try LifeboatBinary.run(["restore", "--data-dir", target, "--policy", fixture.policy])
        #expect(restored.status == 0, "\(restored.stderr)")
        for path in [target, target + "/global/pg_control", target + "/base", target + "/postgresql.auto.conf", target + "/recovery.signal"] {
            var status = stat()
            #expect(lstat(path, &status) == 0)
            #expect(status.st_uid == ids.uid, "\(path) is owned by the postgres user")
        }
        var root = stat()
        _ = lstat(target, &root)
        #expect(root.st_mode & 0o777 == 0o700)
        try server.run("pg_verifybackup", ["--no-parse-wal", target])
    }
}
