import Foundation

/// The `backup_label` file a base backup carries: where WAL replay must start.
///
/// ```
/// START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
/// CHECKPOINT LOCATION: 0/2000060
/// BACKUP METHOD: streamed
/// BACKUP FROM: primary
/// START TIME: 2026-11-22 01:06:50 UTC
/// LABEL: pg_basebackup base backup
/// START TIMELINE: 1
/// ```
public struct BackupLabel: Sendable, Equatable {
    public var startLSN: LSN
    public var startSegment: String
    public var checkpointLSN: LSN
    public var timeline: UInt32

    /// Parses the label; nil when a required line is missing or malformed.
    public init?(_ text: String) {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let start = fields["START WAL LOCATION"], let checkpoint = fields["CHECKPOINT LOCATION"].flatMap(LSN.init),
              let timeline = fields["START TIMELINE"].flatMap(UInt32.init) else { return nil }
        // "0/2000028 (file 000000010000000000000002)"
        let words = start.split(separator: " ")
        guard words.count == 3, let lsn = LSN(String(words[0])) else { return nil }
        let segment = words[2].trimmingCharacters(in: CharacterSet(charactersIn: ")"))
        guard WALFileName(segment)?.kind == .segment else { return nil }
        startLSN = lsn
        startSegment = segment
        checkpointLSN = checkpoint
        self.timeline = timeline
    }
}
