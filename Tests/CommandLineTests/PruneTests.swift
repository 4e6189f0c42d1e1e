import ExternalProgram
import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// `lifeboat prune` on a real repository: what it keeps stays restorable to
/// every instant of the recovery window, what it deletes is gone with its WAL,
/// pins hold, dry runs change nothing, and garbage of crashed runs goes.
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "timezone": "'UTC'", "wal_keep_size": "'256MB'"]), .serialized)
struct PruneTests {
    struct Listing: Decodable {
        struct Backup: Decodable { let id: String; let start_lsn: String }
        let backups: [Backup]
    }

    struct Plan: Decodable {
        struct Backup: Decodable { let id: String; let reasons: [String]? }
        struct WAL: Decodable { let kept_from: String?; let deleted: [String] }
        let ok: Bool
        let dry_run: Bool
        let kept: [Backup]
        let deleted: [Backup]
        let wal: WAL
    }

    func markers(_ fixture: PhysicalFixture, restoredFrom directory: String) throws -> [Int] {
        let server = try RestoredServer(dataDirectory: directory, socketDirectory: fixture.dir.path)
        try server.start()
        defer { server.stop() }
        try server.waitUntilPromoted()
        return try server.connect().query("SELECT id FROM markers ORDER BY id").rows.compactMap { $0[0].flatMap { Int($0) } }
    }

    @Test func aWindowPruneKeepsEveryInstantOfTheWindowRestorable() throws {
        let server = try TestPostgres.require()
        let fixture = try PhysicalFixture(server: server, name: "window", sections: "retention:\n  keep_last: 1\n  recovery_window: 1h")
        defer { fixture.dir.remove() }
        let db = try server.connect()
        try db.query("CREATE TABLE markers (id int PRIMARY KEY)")
        let first = try fixture.backup()
        try db.query("INSERT INTO markers VALUES (1)")
        let second = try fixture.backup()
        usleep(300_000)
        let windowStart = try #require(try db.query("SELECT clock_timestamp()::text").scalar())
        usleep(300_000)
        try db.query("INSERT INTO markers VALUES (2)")
        let third = try fixture.backup()
        try db.query("INSERT INTO markers VALUES (3)")
        try fixture.archiveCurrentWAL(on: db)
        let now = try #require(try db.query("SELECT ($1::timestamptz + interval '1 hour')::text", [windowStart]).scalar())

        // A dry run shows the plan and deletes nothing.
        let dry = try fixture.lifeboat(["prune", "--dry-run", "--now", now, "--json"])
        #expect(dry.status == 0, "\(dry.err)")
        let plan = try JSONDecoder().decode(Plan.self, from: Data(dry.out.utf8))
        #expect(plan.dry_run && plan.ok)
        #expect(plan.deleted.map(\.id) == [first])
        #expect(Set(plan.kept.map(\.id)) == [second, third])
        #expect(plan.kept.first { $0.id == second }?.reasons == ["recovery_window"])
        #expect(try fixture.lifeboat(["list"]).out.contains(first))

        let walDirectory = fixture.dir.appending("repo/window/wal/00000001")
        let walBefore = Set(try FileManager.default.contentsOfDirectory(atPath: walDirectory))
        let pruned = try fixture.lifeboat(["prune", "--now", now, "--json"])
        #expect(pruned.status == 0, "\(pruned.err)")
        let done = try JSONDecoder().decode(Plan.self, from: Data(pruned.out.utf8))
        #expect(!done.wal.deleted.isEmpty)
        let walAfter = Set(try FileManager.default.contentsOfDirectory(atPath: walDirectory))
        #expect(walBefore.subtracting(walAfter) == Set(done.wal.deleted))
        #expect((FileManager.default.subpaths(atPath: fixture.dir.appending("repo/window/backups/\(first)")) ?? []).isEmpty)
        let list = try fixture.lifeboat(["list", "--json"])
        let listing = try JSONDecoder().decode(Listing.self, from: Data(list.out.utf8))
        #expect(listing.backups.map(\.id) == [second, third])
        // Everything the kept backups need is there and intact.
        let verify = try fixture.lifeboat(["verify", "--all"])
        #expect(verify.status == 0, "\(verify.out)")
        // Pruning again changes nothing.
        let again = try JSONDecoder().decode(Plan.self, from: Data(try fixture.lifeboat(["prune", "--now", now, "--json"]).out.utf8))
        #expect(again.deleted.isEmpty && again.wal.deleted.isEmpty)

        // The oldest instant of the window is still reachable.
        let target = fixture.restoreDirectory("window-start")
        let restored = try fixture.lifeboat(["restore", "--data-dir", target, "--target-time", windowStart])
        #expect(restored.status == 0, "\(restored.err)")
        #expect(try markers(fixture, restoredFrom: target) == [1])
    }

    @Test func pinnedBackupsSurviveAndGarbageOfCrashedRunsGoes() throws {
        let server = try TestPostgres.require()
        let fixture = try PhysicalFixture(server: server, name: "pins", sections: "retention:\n  keep_last: 1")
        defer { fixture.dir.remove() }
        let pinnedResult = try fixture.lifeboat(["backup", "--type", "physical", "--pin", "--json"])
        #expect(pinnedResult.status == 0)
        struct Report: Decodable { let id: String }
        let pinned = try JSONDecoder().decode(Report.self, from: Data(pinnedResult.out.utf8)).id
        let middle = try fixture.backup()
        let newest = try fixture.backup()

        // Debris of crashed runs: unfinished backups, old and young (prune holds the cluster lock, so
        // neither can still be running), an old temporary file, a young one whose writer is gone, and a
        // young one a live writer holds locked.
        let backups = fixture.dir.appending("repo/pins/backups")
        for (name, age) in [("20200101T000000Z-dead", 7200.0), ("29990101T000000Z-young", 0.0)] {
            try FileManager.default.createDirectory(atPath: backups + "/" + name, withIntermediateDirectories: true)
            let file = backups + "/" + name + "/data-0001"
            try Data("partial".utf8).write(to: URL(fileURLWithPath: file))
            if let user = OSUser.serverUser {
                try OSUser.chown(backups + "/" + name, to: user)
                try OSUser.chown(file, to: user)
            }
            var times = [timespec(tv_sec: time(nil) - Int(age), tv_nsec: 0), timespec(tv_sec: time(nil) - Int(age), tv_nsec: 0)]
            _ = utimensat(AT_FDCWD, file, &times, 0)
        }
        let temporary = fixture.dir.appending("repo/pins/.cluster.json.123.tmp")
        try Data("x".utf8).write(to: URL(fileURLWithPath: temporary))
        var old = [timespec(tv_sec: time(nil) - 7200, tv_nsec: 0), timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, temporary, &old, 0)
        let abandoned = fixture.dir.appending("repo/pins/.lock.456.tmp")
        try Data("x".utf8).write(to: URL(fileURLWithPath: abandoned))
        let writing = fixture.dir.appending("repo/pins/.lock.789.tmp")
        try Data("x".utf8).write(to: URL(fileURLWithPath: writing))
        let writer = open(writing, O_RDONLY)
        defer { close(writer) }
        #expect(flock(writer, LOCK_EX) == 0)

        let pruned = try fixture.lifeboat(["prune"])
        #expect(pruned.status == 0, "\(pruned.err)")
        let ids = try JSONDecoder().decode(Listing.self, from: Data(try fixture.lifeboat(["list", "--json"]).out.utf8)).backups.map(\.id)
        #expect(ids == [pinned, newest])
        #expect(!ids.contains(middle))
        #expect(!FileManager.default.fileExists(atPath: backups + "/20200101T000000Z-dead"), "no empty directory left")
        #expect(!FileManager.default.fileExists(atPath: backups + "/29990101T000000Z-young"))
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(!FileManager.default.fileExists(atPath: abandoned), "nobody holds its lock: its writer is gone")
        #expect(FileManager.default.fileExists(atPath: writing), "a write in progress stays")

        // Unpinned, it goes at the next prune.
        #expect(try fixture.lifeboat(["unpin", pinned]).status == 0)
        #expect(try fixture.lifeboat(["prune"]).status == 0)
        let after = try JSONDecoder().decode(Listing.self, from: Data(try fixture.lifeboat(["list", "--json"]).out.utf8)).backups.map(\.id)
        #expect(after == [newest])
        #expect(try fixture.lifeboat(["pin", "no-such-backup"]).status == 1)
    }

    @Test func aKilledPruneLeavesEveryListedBackupIntact() throws {
        let server = try TestPostgres.require()
        let fixture = try PhysicalFixture(server: server, name: "killed", sections: "retention:\n  keep_last: 1")
        defer { fixture.dir.remove() }
        for _ in 0..<4 { _ = try fixture.backup() }
        for delay in [20_000, 80_000, 200_000] as [useconds_t] {
            let prune = try ProgramOutputStream(Program(LifeboatBinary.path, ["prune", "--policy", fixture.policy], user: OSUser.serverUser))
            usleep(delay)
            // Anchored at lifeboat's own path: runuser's command line holds the same words, and killing
            // runuser instead (under load, before lifeboat started) would leave the prune running on.
            _ = try ProgramRunner.run(Program("/usr/bin/pkill", ["-KILL", "-f", "^\(LifeboatBinary.path) prune --policy \(fixture.policy)"]),
                                      allowFailure: true)
            _ = try? prune.finish()
            // Whatever the moment: every listed backup verifies, and the lock does not hold up the next run.
            let verify = try fixture.lifeboat(["verify", "--all"])
            #expect(verify.status == 0, "after a kill at \(delay) µs: \(verify.out)")
        }
        let final = try fixture.lifeboat(["prune"])
        #expect(final.status == 0, "\(final.err)")
        let listing = try JSONDecoder().decode(Listing.self, from: Data(try fixture.lifeboat(["list", "--json"]).out.utf8))
        #expect(listing.backups.count == 1)
        #expect(try fixture.lifeboat(["verify", "--all"]).status == 0)
    }
}
