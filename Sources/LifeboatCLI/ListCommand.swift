import ArgumentParser
import Foundation
import LifeboatEngine

/// `lifeboat list`.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the cluster's backups, its archived WAL and the point-in-time recovery window.",
        discussion: """
            Backups are read from their manifests only. WAL coverage comes from the archive's listing (per timeline: \
            first and last segment, gaps); the recoverable window runs from the moment the oldest usable physical \
            backup is consistent to the last transaction in the WAL that follows it without a gap (read from the \
            newest segments).
            JSON keys: backups[{id, type, started_at, finished_at, size_bytes, stored_bytes, timeline, start_lsn, stop_lsn, \
            databases}], wal{timelines[{timeline, first, last, segments, stored_bytes}], first, last, \
            gaps[{timeline, from, to, missing}]}, recoverable{from, to, from_lsn, to_lsn, from_backup} (null without a \
            usable physical backup), damaged[{id, object, error}]: backups whose manifest cannot be read (exit code 5).
            """
    )

    @OptionGroup var policyOption: PolicyOption

    @Flag(name: .long, help: "Print one JSON document.")
    var json = false

    func run() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            let repository = try RepositoryAccess.unlock(policy)
            let contents = try BackupCatalog(repository: repository, cluster: policy.name).contents()
            let backups = contents.backups
            let archive = WALArchive(repository: repository, cluster: policy.name, compression: policy.compression)
            let entries = try archive.entries()
            let coverage = WALCoverage(entries: entries, segmentSize: try archive.segmentSize(), path: try archive.path(through: entries))
            let window = try RecoveryPlanner(backups: backups, archive: archive).window()
            for damaged in contents.damaged { Console.error(damaged.localizedDescription) }
            if json {
                try Console.json(ListReport(backups: backups.map(BackupReport.init), damaged: contents.damaged, coverage: coverage, window: window))
                return contents.damaged.isEmpty ? .success : .integrity
            }
            if backups.isEmpty, contents.damaged.isEmpty {
                Console.line("no backups of \(policy.name) yet")
            } else {
                let now = Date()
                let rows = backups.map { b in
                    [b.id, b.type.rawValue, DurationFormat.string(now.timeIntervalSince(b.finishedAt)) + " ago",
                     DurationFormat.string(b.duration), ByteFormat.string(b.sizeBytes), ByteFormat.string(b.storedBytes)]
                }
                let damagedRows = contents.damaged.map { [$0.id, "DAMAGED", "-", "-", "-", "-"] }
                Table.print(header: ["ID", "TYPE", "AGE", "DURATION", "SIZE", "STORED"], rows: rows + damagedRows)
            }
            if !coverage.timelines.isEmpty {
                Console.line("")
                for timeline in coverage.timelines {
                    Console.line("WAL timeline \(timeline.timeline): \(timeline.first) – \(timeline.last), \(timeline.segments) segment(s), "
                        + "\(ByteFormat.string(timeline.storedBytes)) stored")
                }
                Console.line(coverage.gaps.isEmpty ? "WAL gaps: none" : "WAL gaps: " + coverage.gaps.map(\.description).joined(separator: ", "))
            }
            if let window {
                Console.line("recoverable: \(window)")
            }
            return contents.damaged.isEmpty ? .success : .integrity
        }
    }
}

/// `list --json`.
struct ListReport: Encodable {
    let backups: [BackupReport]
    let damaged: [BackupCatalog.DamagedManifest]
    let coverage: WALCoverage
    let window: RecoveryWindow?

    struct WAL: Encodable {
        let coverage: WALCoverage
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(coverage.timelines, forKey: .timelines)
            try c.encode(coverage.first, forKey: .first)
            try c.encode(coverage.last, forKey: .last)
            try c.encode(coverage.gaps, forKey: .gaps)
        }
        enum Keys: String, CodingKey { case timelines, first, last, gaps }
    }

    struct Recoverable: Encodable {
        let window: RecoveryWindow
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(window.from, forKey: .from)
            try c.encode(window.to, forKey: .to)
            try c.encode(window.fromLSN.description, forKey: .fromLSN)
            try c.encode(window.toLSN.description, forKey: .toLSN)
            try c.encode(window.fromBackup, forKey: .fromBackup)
        }
        enum Keys: String, CodingKey {
            case from, to
            case fromLSN = "from_lsn"
            case toLSN = "to_lsn"
            case fromBackup = "from_backup"
        }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(backups, forKey: .backups)
        try c.encode(damaged.map { ["id": $0.id, "object": $0.object, "error": $0.reason] }, forKey: .damaged)
        try c.encode(WAL(coverage: coverage), forKey: .wal)
        if let window {
            try c.encode(Recoverable(window: window), forKey: .recoverable)
        } else {
            try c.encodeNil(forKey: .recoverable)
        }
    }
    enum Keys: String, CodingKey { case backups, damaged, wal, recoverable }
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
