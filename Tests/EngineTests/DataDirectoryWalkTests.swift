import Foundation
@testable import LifeboatEngine
import LifeboatTestSupport
import Testing

/// What a direct copy takes from a data directory: PostgreSQL's base backup
/// exclusions, checked on a directory laid out like a running server's.
@Suite struct DataDirectoryWalkTests {
    @Test func takesWhatABaseBackupTakesAndNothingElse() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let files = [
            "PG_VERSION", "postgresql.conf", "postmaster.pid", "postmaster.opts", "backup_label.old", "current_logfiles.tmp",
            "global/pg_control", "global/1262", "global/pg_internal.init",
            "base/5/16384", "base/5/16384_fsm", "base/5/16384.1",
            "base/5/16390", "base/5/16390_init", "base/5/16390_fsm", "base/5/16390.1",
            "base/5/t3_16400", "base/5/t3_16400_fsm", "base/5/pg_internal.init.1234",
            "base/pgsql_tmp/pgsql_tmp123.0", "pg_wal/000000010000000000000001", "pg_wal/archive_status/000000010000000000000001.done",
            "pg_stat_tmp/global.stat", "pg_replslot/slot/state", "pg_subtrans/0000", "pg_xact/0000", "log/postgresql.log",
        ]
        for file in files {
            let path = dir.appending(file)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        }
        var entries: [DataDirectoryWalk.Entry] = []
        try DataDirectoryWalk(root: dir.path).forEach { entries.append($0) }
        let copied = Set(entries.filter { if case .file = $0.kind { true } else { false } }.map(\.path))
        #expect(copied == ["PG_VERSION", "postgresql.conf", "global/1262", "base/5/16384", "base/5/16384_fsm", "base/5/16384.1",
                           "base/5/16390_init", "pg_xact/0000", "log/postgresql.log"])
        let directories = Set(entries.filter { $0.kind == .directory }.map(\.path))
        #expect(directories.isSuperset(of: ["pg_wal", "pg_wal/archive_status", "pg_stat_tmp", "pg_replslot", "pg_subtrans", "base", "base/5"]))
        #expect(!directories.contains("base/pgsql_tmp"))
        #expect(!directories.contains("pg_replslot/slot"))
        // Parents come before what they hold.
        for (index, entry) in entries.enumerated() where entry.path.contains("/") {
            let parent = (entry.path as NSString).deletingLastPathComponent
            #expect(entries[..<index].contains { $0.path == parent }, "\(entry.path) before \(parent)")
        }
    }

    /// A directory's names come sorted and each once, a few at a time, however many it holds.
    @Test(arguments: [1, 7, 64, 1_000])
    func namesComeSortedAndOnceAPassAtATime(batch: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let names = (0..<300).map { String(format: "%d", ($0 * 7_919) % 1_000) } + ["PG_VERSION", "16384_fsm", "16384.1", "é"]
        for name in names { try Data().write(to: URL(fileURLWithPath: dir.appending(name))) }
        var seen: [String] = []
        try DataDirectoryWalk.forEachName(in: dir.path, batch: batch) { seen.append($0) }
        #expect(seen == Set(names).sorted())
    }
}
