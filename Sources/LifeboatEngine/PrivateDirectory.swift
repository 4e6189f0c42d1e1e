import Foundation

/// A temporary directory only this user can enter (mode 0700), for work that
/// must touch the disk: a directory-format dump, its extraction at restore.
///
/// The process that made it holds an exclusive `flock` on `.owner` inside it
/// for as long as the value lives (the kernel drops it when the process dies,
/// however it dies). `sweep` removes the directories of a prefix whose owner
/// is gone, so a killed backup's partial dump does not stay in /tmp for good.
final class PrivateDirectory {
    let path: String
    private var owner: Int32

    static let ownerFile = ".owner"

    /// A new directory in `parent`, or in the temporary directory when nil.
    init(prefix: String, in parent: String? = nil) throws {
        let template = ((parent ?? NSTemporaryDirectory()) as NSString).appendingPathComponent("\(prefix).XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else {
            throw LocalFile.Failure(operation: "create", path: template, code: errno)
        }
        path = String(cString: created)
        owner = open(path + "/" + Self.ownerFile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard owner >= 0, flock(owner, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: path)
            throw LocalFile.Failure(operation: "lock", path: path + "/" + Self.ownerFile, code: code)
        }
    }

    deinit { if owner >= 0 { close(owner) } }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
        if owner >= 0 { close(owner) }
        owner = -1
    }

    /// Removes this user's directories named `prefix.*` in `parent` (or the
    /// temporary directory) whose owner process is gone: their `.owner` can be
    /// locked. Directories without an owner file are left alone.
    static func sweep(prefix: String, in parent: String? = nil) {
        let directory = parent ?? NSTemporaryDirectory()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix + ".") {
            let candidate = (directory as NSString).appendingPathComponent(name)
            var status = stat()
            guard lstat(candidate, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == geteuid() else { continue }
            let lock = open(candidate + "/" + ownerFile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard lock >= 0 else { continue }
            defer { close(lock) }
            if flock(lock, LOCK_EX | LOCK_NB) == 0 { try? FileManager.default.removeItem(atPath: candidate) }
        }
    }
}
