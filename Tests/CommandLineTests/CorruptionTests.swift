import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// Damage to every kind of object in a repository — flipped bytes, truncation,
/// removal — gives a message naming the object and the documented exit code,
/// never a crash, a silent success, or a half-written restore.
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "''", "timezone": "'UTC'", "wal_keep_size": "'256MB'"]), .serialized)
struct CorruptionTests {
    enum Damage: String, CaseIterable { case flip, truncate, remove }

    /// Applies `damage` to the file at `path`; returns its original bytes.
    @discardableResult
    static func damage(_ path: String, _ damage: Damage) throws -> Data {
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        switch damage {
        case .flip:
            var bytes = original
            bytes[bytes.count / 2] ^= 0x20
            try bytes.write(to: URL(fileURLWithPath: path))
        case .truncate:
            try original.prefix(original.count / 3).write(to: URL(fileURLWithPath: path))
        case .remove:
            try FileManager.default.removeItem(atPath: path)
        }
        return original
    }

    static func restoreFile(_ path: String, _ bytes: Data) throws {
        try bytes.write(to: URL(fileURLWithPath: path))
        if let user = OSUser.serverUser { try OSUser.chown(path, to: user) }
        chmod(path, 0o600)
    }

    struct Listing: Decodable {
        struct Backup: Decodable { let id: String }
        struct Damaged: Decodable { let id: String; let object: String; let error: String }
        let backups: [Backup]
        let damaged: [Damaged]
    }

    struct Verification: Decodable {
        struct Backup: Decodable { let id: String; let ok: Bool }
        let ok: Bool
        let backups: [Backup]
    }

    /// One damaged manifest flags that backup and leaves the others usable:
    /// list shows them and exits 5, verify --all reports it among the others,
    /// restore of another backup works, and prune neither deletes it as the
    /// garbage of a crashed run nor deletes WAL it might need.
    @Test(arguments: [Damage.flip, .truncate])
    func aDamagedManifestIsFlaggedAndTheOtherBackupsStayUsable(_ damage: Damage) throws {
        let fixture = try PhysicalFixture(server: try TestPostgres.require(), name: "manifests", sections: "retention:\n  keep_last: 1\n")
        defer { fixture.dir.remove() }
        let older = try fixture.backup()
        let newer = try fixture.backup()
        let manifest = fixture.dir.appending("repo/manifests/backups/\(newer)/manifest.json")
        try Self.damage(manifest, damage)

        let list = try fixture.lifeboat(["list", "--json"])
        #expect(list.status == 5, "\(list.err)")
        let listing = try JSONDecoder().decode(Listing.self, from: Data(list.out.utf8))
        #expect(listing.backups.map(\.id) == [older])
        #expect(listing.damaged.map(\.id) == [newer])
        #expect(listing.damaged.first?.object == "manifests/backups/\(newer)/manifest.json")
        #expect(list.err.contains("backup \(newer) is damaged"), "\(list.err)")
        let text = try fixture.lifeboat(["list"])
        #expect(text.status == 5)
        #expect(text.out.contains(older) && text.out.contains("\(newer)  DAMAGED"), "\(text.out)")

        let verifyAll = try fixture.lifeboat(["verify", "--all", "--json"])
        #expect(verifyAll.status == 5)
        let report = try JSONDecoder().decode(Verification.self, from: Data(verifyAll.out.utf8))
        #expect(!report.ok)
        #expect(report.backups.map(\.id).sorted() == [older, newer].sorted())
        #expect(report.backups.first { $0.id == older }?.ok == true)
        #expect(report.backups.first { $0.id == newer }?.ok == false)

        let named = try fixture.lifeboat(["verify", "--backup", newer])
        #expect(named.status == 5)
        #expect(named.err.contains("manifests/backups/\(newer)/manifest.json"), "\(named.err)")

        let refused = fixture.restoreDirectory("refused")
        let restoreDamaged = try fixture.lifeboat(["restore", "--backup", newer, "--data-dir", refused])
        #expect(restoreDamaged.status == 5)
        #expect(!FileManager.default.fileExists(atPath: refused), "nothing is written for a damaged backup")
        let fromOlder = try fixture.lifeboat(["restore", "--backup", older, "--data-dir", fixture.restoreDirectory("older"), "--archive-mode", "off"])
        #expect(fromOlder.status == 0, "\(fromOlder.err)")

        // Prune, even hours later (past the garbage grace period): keeps every object of the damaged backup and all WAL.
        let wal = fixture.dir.appending("repo/manifests/wal/00000001")
        let walBefore = try FileManager.default.contentsOfDirectory(atPath: wal).sorted()
        let objectsBefore = try FileManager.default.contentsOfDirectory(atPath: fixture.dir.appending("repo/manifests/backups/\(newer)")).sorted()
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3 * 86_400))
        let prune = try fixture.lifeboat(["prune", "--now", later, "--json"])
        #expect(prune.status == 5, "\(prune.err)")
        #expect(prune.err.contains("backup \(newer) is damaged"))
        #expect(prune.out.contains("\"ok\" : false"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.dir.appending("repo/manifests/backups/\(newer)")).sorted() == objectsBefore)
        #expect(try FileManager.default.contentsOfDirectory(atPath: wal).sorted() == walBefore)
        #expect(FileManager.default.fileExists(atPath: fixture.dir.appending("repo/manifests/backups/\(older)/manifest.json")))
    }

    /// files.json, a data part and PostgreSQL's backup_manifest: flipped,
    /// truncated or removed, verify names the object and exits 5; a restore
    /// exits 5 and leaves no startable data directory behind.
    @Test func damagedBackupObjectsAreNamedAndRefused() throws {
        let fixture = try PhysicalFixture(server: try TestPostgres.require(), name: "objects")
        defer { fixture.dir.remove() }
        let id = try fixture.backup()
        let directory = fixture.dir.appending("repo/objects/backups/\(id)")
        var attempt = 0
        for object in ["files.json", "data-0001", "backup_manifest"] {
            for damage in Damage.allCases {
                let path = directory + "/" + object
                let original = try Self.damage(path, damage)
                defer { try? Self.restoreFile(path, original) }
                let verify = try fixture.lifeboat(["verify", "--backup", id])
                #expect(verify.status == 5, "\(object) \(damage): \(verify.out) \(verify.err)")
                #expect(verify.out.contains("BAD  \(id)/\(object)") || verify.err.contains(object), "\(object) \(damage): \(verify.out) \(verify.err)")
                attempt += 1
                let target = fixture.restoreDirectory("restore-\(attempt)")
                let restore = try fixture.lifeboat(["restore", "--backup", id, "--data-dir", target, "--archive-mode", "off"])
                if object == "backup_manifest", damage != .remove {
                    // Only pg_verifybackup reads it; the restore itself may succeed, and then it must be complete.
                    #expect(restore.status == 5 || restore.status == 0, "\(object) \(damage): \(restore.err)")
                } else {
                    #expect(restore.status == 5, "\(object) \(damage): \(restore.status) \(restore.err)")
                    #expect(restore.err.contains(object) || restore.err.contains("missing") || restore.err.contains("authentication"), "\(object) \(damage): \(restore.err)")
                    #expect(!FileManager.default.fileExists(atPath: target + "/global/pg_control"), "\(object) \(damage): a failed restore leaves no startable directory")
                }
            }
        }
        #expect(try fixture.lifeboat(["verify", "--backup", id]).status == 0, "the repaired backup verifies again")
    }

    /// A damaged WAL segment is refused by wal-fetch with 126 (which stops
    /// PostgreSQL's recovery, where 1 would end it quietly), naming the
    /// segment, and nothing is written where PostgreSQL would read it.
    @Test func aDamagedWALSegmentIsNeverHandedToPostgreSQL() throws {
        let server = try TestPostgres.require()
        let fixture = try PhysicalFixture(server: server, name: "walrot")
        defer { fixture.dir.remove() }
        let db = try server.connect()
        try db.query("CREATE TABLE IF NOT EXISTS rot AS SELECT g FROM generate_series(1, 1000) g")
        try fixture.archiveCurrentWAL(on: db)
        let walDirectory = fixture.dir.appending("repo/walrot/wal/00000001")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: walDirectory).filter { $0.count == 24 }.sorted().last)
        let scratch = fixture.dir.appending("scratch")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        if let user = OSUser.serverUser { try OSUser.chown(scratch, to: user) }
        for damage in [Damage.flip, .truncate] {
            let original = try Self.damage(walDirectory + "/" + name, damage)
            defer { try? Self.restoreFile(walDirectory + "/" + name, original) }
            let fetch = try fixture.lifeboat(["wal-fetch", "--no-prefetch", name, scratch + "/RECOVERYXLOG"])
            // Above 125, as documented for restore_command: PostgreSQL stops recovery instead of taking it for the end of WAL.
            #expect(fetch.status == 126, "\(damage): \(fetch.err) \(fetch.out)")
            #expect(fetch.err.contains("authentication") || fetch.err.contains("truncated"), "\(damage): \(fetch.err)")
            #expect(fetch.err.contains(name), "\(damage): \(fetch.err)")
            #expect(!FileManager.default.fileExists(atPath: scratch + "/RECOVERYXLOG"), "\(damage): nothing handed to PostgreSQL")
        }
        #expect(try fixture.lifeboat(["wal-fetch", "--no-prefetch", name, scratch + "/RECOVERYXLOG"]).status == 0)
    }

    /// Key slots, the repository header and the run lock: damaged, every
    /// command that needs them stops with a message naming the object and a
    /// documented code (5 integrity, 6 cannot unlock, 2 not a repository),
    /// and never writes a backup.
    @Test func damagedKeySlotsHeaderAndLockStopEveryCommand() throws {
        let fixture = try PhysicalFixture(server: try TestPostgres.require(), name: "meta", archives: false)
        defer { fixture.dir.remove() }
        let repo = fixture.dir.appending("repo")
        let slots = try FileManager.default.contentsOfDirectory(atPath: repo + "/keys/slots").filter { $0.hasSuffix(".json") }
        #expect(slots.count == 1, "the fixture uses one key-file slot: \(slots)")
        let slot = repo + "/keys/slots/" + slots[0]

        var expectations: [(String, Damage, Set<Int32>, String)] = []
        for damage in Damage.allCases {
            // A flipped byte in the wrapped key looks exactly like a wrong key file (exit 6); unreadable JSON is damage (exit 5).
            expectations.append((slot, damage, damage == .remove ? [6] : [5, 6], damage == .remove ? "no key file slot" : "slot"))
            expectations.append((repo + "/repository.json", damage, damage == .remove ? [2] : [5], "repository.json"))
        }
        for (path, damage, codes, named) in expectations {
            let original = try Self.damage(path, damage)
            defer { try? Self.restoreFile(path, original) }
            for command in [["list"], ["backup", "--type", "logical"]] {
                let result = try fixture.lifeboat(command)
                #expect(codes.contains(result.status), "\(command) with \(path) \(damage): \(result.status) \(result.err)")
                #expect(result.err.contains(named), "\(command) with \(path) \(damage): \(result.err)")
                #expect(!result.err.contains("Fatal error") && !result.err.contains("Stack dump"))
            }
        }
        #expect(try fixture.lifeboat(["list"]).status == 0, "the repaired repository opens again")
        #expect(!FileManager.default.fileExists(atPath: repo + "/meta/backups"), "no backup was written")

        // A run lock that cannot be read (garbage, or sealed for another name): exit 5 naming it and the remedy.
        let backup = try #require(try FileManager.default.contentsOfDirectory(atPath: repo + "/keys").first { $0 == "keyring" })
        for planted in [Data(repeating: 0x41, count: 200), try Data(contentsOf: URL(fileURLWithPath: repo + "/keys/" + backup))] {
            try FileManager.default.createDirectory(atPath: repo + "/meta", withIntermediateDirectories: true)
            if let user = OSUser.serverUser { try OSUser.chown(repo + "/meta", to: user) }
            try Self.restoreFile(repo + "/meta/lock", planted)
            let result = try fixture.lifeboat(["backup", "--type", "logical"])
            #expect(result.status == 5, "\(result.err)")
            #expect(result.err.contains("the lock meta/lock exists but cannot be read"), "\(result.err)")
            #expect(result.err.contains("delete the lock object"))
            try FileManager.default.removeItem(atPath: repo + "/meta/lock")
        }
        #expect(try fixture.lifeboat(["backup", "--type", "logical"]).status == 0)
    }
}
