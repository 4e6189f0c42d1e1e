import Foundation
import Postgres
import Seal

/// PostgreSQL's own `backup_manifest` (version 1, as `pg_basebackup` writes
/// it), made for a backup read straight from the data directory, so that a
/// restored directory can be checked with `pg_verifybackup` whichever way it
/// was copied. Every file carries its SHA-256; the manifest ends with the
/// SHA-256 of everything before its `Manifest-Checksum` line:
///
/// ```
/// { "PostgreSQL-Backup-Manifest-Version": 1,
/// "Files": [
/// { "Path": "PG_VERSION", "Size": 3, "Last-Modified": "2026-11-22 04:58:51 GMT", "Checksum-Algorithm": "SHA256", "Checksum": "…" },
/// …
/// ],
/// "WAL-Ranges": [
/// { "Timeline": 1, "Start-LSN": "0/1D000028", "End-LSN": "0/1D000100" }
/// ],
/// "Manifest-Checksum": "…"}
/// ```
enum PostgresBackupManifest {
    static func make(files: [PhysicalLayout.File], ranges: [BackupManifest.PhysicalInfo.WALRange]) throws -> [UInt8] {
        var text = "{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": ["
        let entries = files.filter { $0.type == .file }.map { file in
            "{ \"Path\": \(quoted(file.path)), \"Size\": \(file.size ?? 0), \"Last-Modified\": \"\(timestamp(file.mtime))\", "
                + "\"Checksum-Algorithm\": \"SHA256\", \"Checksum\": \"\(file.sha256 ?? "")\" }"
        }
        text += entries.isEmpty ? "" : "\n" + entries.joined(separator: ",\n")
        text += "\n],\n\"WAL-Ranges\": [\n"
        text += ranges.map { "{ \"Timeline\": \($0.timeline), \"Start-LSN\": \"\($0.startLSN)\", \"End-LSN\": \"\($0.endLSN)\" }" }
            .joined(separator: ",\n")
        text += "\n],\n"
        let checksum = try SHA256Hasher.digest(Array(text.utf8)).hexString
        text += "\"Manifest-Checksum\": \"\(checksum)\"}\n"
        return Array(text.utf8)
    }

    /// "2026-11-22 04:58:51 GMT".
    static func timestamp(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d GMT", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// A JSON string (data directory paths are plain, but nothing is assumed).
    static func quoted(_ path: String) -> String {
        var out = "\""
        for scalar in path.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
