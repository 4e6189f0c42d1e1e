import ArgumentParser
import Foundation
import LifeboatEngine

/// `lifeboat list`.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the cluster's backups (from their manifests only).",
        discussion: "JSON keys: backups[{id, type, started_at, finished_at, size_bytes, stored_bytes, timeline, start_lsn, stop_lsn, databases}], wal{timelines, first, last, gaps}, recoverable{from, to}."
    )

    @OptionGroup var policyOption: PolicyOption

    @Flag(name: .long, help: "Print one JSON document.")
    var json = false

    func run() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            let backups = try BackupCatalog(repository: try RepositoryAccess.unlock(policy), cluster: policy.name).backups()
            if json {
                try Console.json(ListReport(backups: backups.map(BackupReport.init)))
            } else if backups.isEmpty {
                Console.line("no backups of \(policy.name) yet")
            } else {
                let now = Date()
                let rows = backups.map { b in
                    [b.id, b.type.rawValue, DurationFormat.string(now.timeIntervalSince(b.finishedAt)) + " ago",
                     DurationFormat.string(b.duration), ByteFormat.string(b.sizeBytes), ByteFormat.string(b.storedBytes)]
                }
                Table.print(header: ["ID", "TYPE", "AGE", "DURATION", "SIZE", "STORED"], rows: rows)
            }
            return .success
        }
    }
}

/// `list --json`. WAL archiving is not built yet: `wal` is empty and
/// `recoverable` null, because logical backups restore to their own instant only.
struct ListReport: Encodable {
    let backups: [BackupReport]

    struct WAL: Encodable {
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode([Int](), forKey: .timelines)
            try c.encodeNil(forKey: .first)
            try c.encodeNil(forKey: .last)
            try c.encode([String](), forKey: .gaps)
        }
        enum Keys: String, CodingKey { case timelines, first, last, gaps }
    }

    struct Recoverable: Encodable {
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encodeNil(forKey: .from)
            try c.encodeNil(forKey: .to)
        }
        enum Keys: String, CodingKey { case from, to }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(backups, forKey: .backups)
        try c.encode(WAL(), forKey: .wal)
        try c.encode(Recoverable(), forKey: .recoverable)
    }
    enum Keys: String, CodingKey { case backups, wal, recoverable }
}

/// A plain text table with columns padded to their widest cell.
enum Table {
    static func print(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            Console.line(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
    }
}
