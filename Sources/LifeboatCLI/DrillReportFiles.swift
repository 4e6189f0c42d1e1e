import Foundation
import LifeboatEngine
import Repository

/// The files `drill --report-dir` writes: `drill-<id>.json` (the record, as
/// `--json` prints it), `.md` and `.html` (self-contained). Each is written
/// under a temporary name and renamed, so a reader never sees half a report.
enum DrillReportFiles {
    static func write(_ record: DrillRecord, into directory: String, timeZone: TimeZone) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let documents: [(String, Data)] = [
            ("json", try encoder.encode(record) + Data("\n".utf8)),
            ("md", Data(DrillReportDocument.markdown(record, timeZone: timeZone.identifier).utf8)),
            ("html", Data(DrillReportDocument.html(record, timeZone: timeZone.identifier).utf8)),
        ]
        return try documents.map { suffix, data in
            let path = (directory as NSString).appendingPathComponent("drill-\(record.id).\(suffix)")
            try ReportFile.write(data, to: path)
            return path
        }
    }
}

/// Writing a report or unit file: complete or not at all (no secrets in them,
/// so readable by the owner's group, or everyone when `mode` says so).
enum ReportFile {
    static func write(_ data: Data, to path: String, mode: mode_t = 0o640) throws {
        try AtomicFile.write(Array(data), to: path, mode: mode)
    }
}
