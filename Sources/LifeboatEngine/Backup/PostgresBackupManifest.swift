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
///
/// Entries go to a `SpillFile` as files are copied, and the checksum is
/// computed as they go, so the manifest costs no memory per file.
final class PostgresBackupManifest {
    private let entries: SpillFile
    private let hasher: SHA256Hasher
    private var count = 0
    private static let head = Array("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [".utf8)

    init() throws {
        entries = try SpillFile()
        hasher = try SHA256Hasher()
        try Self.head.withUnsafeBytes { try hasher.update($0) }
    }

    /// Adds a regular file (its `size`, `mtime` and `sha256`).
    func add(_ file: PhysicalLayout.File) throws {
        let entry = (count == 0 ? "\n" : ",\n") + "{ \"Path\": \(JSONText.quoted(file.path)), \"Size\": \(file.size ?? 0), "
            + "\"Last-Modified\": \"\(Self.timestamp(file.mtime))\", \"Checksum-Algorithm\": \"SHA256\", \"Checksum\": \"\(file.sha256 ?? "")\" }"
        let bytes = Array(entry.utf8)
        try bytes.withUnsafeBytes { try hasher.update($0) }
        try entries.append(bytes)
        count += 1
    }

    /// The whole manifest as a source of bytes, ending with the WAL the backup needs and the checksum.
    func document(ranges: [BackupManifest.PhysicalInfo.WALRange]) throws -> (UnsafeMutableRawBufferPointer) throws -> Int {
        var text = "\n],\n\"WAL-Ranges\": [\n"
        text += ranges.map { "{ \"Timeline\": \($0.timeline), \"Start-LSN\": \"\($0.startLSN)\", \"End-LSN\": \"\($0.endLSN)\" }" }
            .joined(separator: ",\n")
        text += "\n],\n"
        let rest = Array(text.utf8)
        try rest.withUnsafeBytes { try hasher.update($0) }
        let tail = rest + Array("\"Manifest-Checksum\": \"\(try hasher.finish().hexString)\"}\n".utf8)
        try entries.flush()
        return entries.source(between: Self.head, and: tail)
    }

    /// "2026-11-22 04:58:51 GMT".
    static func timestamp(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d GMT", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
