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

/// Writing a report file: complete or not at all, by default readable by its
/// owner's group (no secrets in reports); schedule files pass 0644.
enum ReportFile {
    static func write(_ data: Data, to path: String, mode: Int = 0o640) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: mode]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "cannot write \(temporary)"])
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "cannot write \(path): \(reason)"])
        }
    }
}
