import Archive
import Foundation

/// A small file replaced whole: written to a temporary name beside it,
/// fsynced, given its mode and owner, then renamed over the old one, so a
/// reader (PostgreSQL, node_exporter, an auditor's browser) sees the old file
/// or the new one, never half of one.
public enum AtomicFile {
    /// Writes `bytes` to `path` with `mode` (not narrowed by the umask).
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws {
        try write(bytes, to: path, mode: mode, owner: nil)
    }

    static func write(_ bytes: [UInt8], to path: String, mode: mode_t, owner: FileOwner?) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        unlink(temporary)
        let file = try LocalFile.creating(temporary, mode: mode)
        do {
            try bytes.withUnsafeBytes { try file.write($0) }
            try file.sync()
            try file.close()
            chmod(temporary, mode)
            if let owner { chown(temporary, owner.uid, owner.gid) }
            try LocalFile.rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
