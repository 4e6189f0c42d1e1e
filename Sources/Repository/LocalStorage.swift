import CFileSupport
import Foundation

/// A repository in a local directory (or a mounted file system).
///
/// Objects are files under the root, directories mirror the `/` in keys.
/// Files are created 0600 and directories 0700. A put writes a temporary file
/// beside its target (`.NAME.RANDOM.tmp`, hidden from listings), fsyncs it,
/// renames it into place (or hard-links it, for create-only puts, so an existing
/// object is never replaced), then fsyncs the directory.
///
/// The writer holds an exclusive `flock` on its temporary file from creating
/// it until it is published, so `removeLeftovers` can tell the leftover of a
/// killed writer (nobody holds its lock) from a write in progress, and remove
/// it at once. A directory emptied by `delete` is removed too.
///
/// Run as root in a repository another user owns (the PostgreSQL OS user, whose
/// `archive_command` writes to it), files and directories it creates are
/// handed to the repository's owner, so one command run as root cannot lock
/// that user out of its own repository.
public struct LocalStorage: Storage {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public var location: String { root }

    func path(_ key: String) -> String { root + "/" + key }

    public func put(_ key: String, mode: PutMode, _ body: (ObjectSink) throws -> Void) throws {
        try ObjectKey.validate(key)
        let target = path(key)
        let owner = repositoryOwner()
        try Self.makeDirectories((target as NSString).deletingLastPathComponent, owner: owner)
        let (file, temporary) = try Self.createTemporary(for: target, owner: owner)
        do {
            if let owner { chown(temporary, owner.uid, owner.gid) }
            try body(file)
            try file.sync()
            switch mode {
            case .replace:
                guard rename(temporary, target) == 0 else { throw Self.ioError("publish", target) }
            case .createOnly:
                if link(temporary, target) != 0 {
                    if errno == EEXIST { throw StorageError.alreadyExists(key: key) }
                    throw Self.ioError("publish", target)
                }
                unlink(temporary)
            }
            // Only now, published, does the temporary file's lock go.
            try file.close()
            try Self.syncDirectory((target as NSString).deletingLastPathComponent)
        } catch {
            file.abandon()
            unlink(temporary)
            throw error
        }
    }

    /// A new, locked temporary file beside `target`. Retries when a concurrent
    /// `delete` removed the emptied directory, or `removeLeftovers` the file,
    /// between creating it and locking it.
    static func createTemporary(for target: String, owner: (uid: uid_t, gid: gid_t)?) throws -> (FileSink, String) {
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        for _ in 1...5 {
            let temporary = "\(directory)/.\(name).\(UInt64.random(in: 0...UInt64.max)).tmp"
            if let file = try FileSink(path: temporary) { return (file, temporary) }
            try makeDirectories(directory, owner: owner)
        }
        throw StorageError.io(operation: "create", path: directory, reason: "its directory or temporary file kept disappearing")
    }

    public func open(_ key: String) throws -> ObjectSource {
        try ObjectKey.validate(key)
        return try FileSource(path: path(key), key: key)
    }

    public func read(_ key: String, range: Range<Int64>) throws -> [UInt8] {
        try ObjectKey.validate(key)
        let source = try FileSource(path: path(key), key: key)
        return try source.pread(range)
    }

    public func list(prefix: String) throws -> [ObjectInfo] {
        // Walk the deepest directory the prefix names, then filter by the prefix.
        let directoryPart = prefix.contains("/") ? String(prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)]) : ""
        let start = directoryPart.isEmpty ? root : path(directoryPart)
        var results: [ObjectInfo] = []
        try walk(start, keyPrefix: directoryPart.isEmpty ? "" : directoryPart + "/", into: &results)
        return results.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }
    }

    private func walk(_ directory: String, keyPrefix: String, into results: inout [ObjectInfo]) throws {
        guard let dir = opendir(directory) else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw Self.ioError("list", directory)
        }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = String(cString: lifeboat_dirent_name(entry))
            if name.hasPrefix(".") { continue }
            let full = directory + "/" + name
            var status = Foundation.stat()
            guard lstat(full, &status) == 0 else { continue }
            if status.st_mode & S_IFMT == S_IFDIR {
                try walk(full, keyPrefix: keyPrefix + name + "/", into: &results)
            } else if status.st_mode & S_IFMT == S_IFREG {
                results.append(ObjectInfo(key: keyPrefix + name, size: Int64(status.st_size),
                                          modified: Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec))))
            }
        }
    }

    public func stat(_ key: String) throws -> ObjectInfo? {
        try ObjectKey.validate(key)
        var status = Foundation.stat()
        guard lstat(path(key), &status) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw Self.ioError("stat", path(key))
        }
        return ObjectInfo(key: key, size: Int64(status.st_size), modified: Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec)))
    }

    public func removeLeftovers(olderThan cutoff: Date) throws -> [String] {
        var removed: [String] = []
        var directories: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            var status = Foundation.stat()
            let full = root + "/" + relative
            guard lstat(full, &status) == 0 else { continue }
            if status.st_mode & S_IFMT == S_IFDIR { directories.append(full) }
            guard name.hasPrefix("."), name.hasSuffix(".tmp"), status.st_mode & S_IFMT == S_IFREG else { continue }
            if Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec)) < cutoff {
                if unlink(full) == 0 { removed.append(relative) }
            } else if Self.removeIfAbandoned(full) {
                removed.append(relative)
            }
        }
        // Directories a killed run created but left empty (or whose leftovers
        // just went), deepest first; a put racing this recreates its directory.
        for directory in directories.sorted(by: { $0.count > $1.count }) where rmdir(directory) == 0 {
            try? Self.syncDirectory((directory as NSString).deletingLastPathComponent)
        }
        return removed
    }

    /// Removes a temporary file whose writer is gone: nobody holds its lock.
    /// The file is unlinked while we hold the lock, so a writer that created
    /// it but had not locked it yet finds it unlinked and starts another.
    static func removeIfAbandoned(_ path: String) -> Bool {
        let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        var opened = Foundation.stat(), named = Foundation.stat()
        guard fstat(fd, &opened) == 0, lstat(path, &named) == 0, opened.st_ino == named.st_ino, opened.st_dev == named.st_dev else { return false }
        return unlink(path) == 0
    }

    public func makeDurable(_ key: String) throws {
        try ObjectKey.validate(key)
        let target = path(key)
        let fd = Glibc.open(target, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.ioError("open", target) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Self.ioError("sync", target) }
        try Self.syncDirectory((target as NSString).deletingLastPathComponent)
    }

    public func delete(_ key: String) throws {
        try ObjectKey.validate(key)
        let target = path(key)
        if unlink(target) != 0 {
            if errno == ENOENT { return }
            throw Self.ioError("delete", target)
        }
        let directory = (target as NSString).deletingLastPathComponent
        try Self.syncDirectory(directory)
        removeEmptyDirectories(from: directory)
    }

    /// Removes `directory` and then its parents, below the root, while they are
    /// empty (a pruned backup leaves no empty directory behind). A put racing
    /// this recreates the directory.
    func removeEmptyDirectories(from directory: String) {
        var current = directory
        while current.count > root.count, current.hasPrefix(root + "/") {
            guard rmdir(current) == 0 else { return }
            let parent = (current as NSString).deletingLastPathComponent
            try? Self.syncDirectory(parent)
            current = parent
        }
    }

    // MARK: File system helpers

    static func ioError(_ operation: String, _ path: String) -> StorageError {
        .io(operation: operation, path: path, reason: String(cString: strerror(errno)))
    }

    /// Who new files and directories belong to: the repository root's owner
    /// when we are root and it is not; nil to keep our own.
    func repositoryOwner() -> (uid: uid_t, gid: gid_t)? {
        guard geteuid() == 0, let owner = ownerOf(root), owner.uid != 0 else { return nil }
        return owner
    }

    /// mkdir -p with mode 0700, new directories given to `owner`; each new
    /// directory's parent is fsynced so the new entry is durable.
    static func makeDirectories(_ directory: String, owner: (uid: uid_t, gid: gid_t)? = nil) throws {
        var status = Foundation.stat()
        if lstat(directory, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw StorageError.io(operation: "create directory", path: directory, reason: "a file is in the way")
            }
            return
        }
        let parent = (directory as NSString).deletingLastPathComponent
        // A prune removing emptied directories may take the parent away again
        // between creating it and creating this one: then once more.
        for attempt in 1...3 {
            if parent != directory, !parent.isEmpty { try makeDirectories(parent, owner: owner) }
            if mkdir(directory, 0o700) == 0 || errno == EEXIST { break }
            if errno != ENOENT || attempt == 3 { throw ioError("create directory", directory) }
        }
        if let owner { chown(directory, owner.uid, owner.gid) }
        try syncDirectory(parent)
    }

    static func syncDirectory(_ directory: String) throws {
        let fd = Foundation.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open directory", directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ioError("sync directory", directory) }
    }
}

/// A new file being written by a put: created exclusively with mode 0600 and
/// locked (`flock`) until it is closed.
///
/// Every 8 MiB written is handed to the kernel's writeback at once, so the
/// fsync that publishes the object waits for the last few MiB only, not for
/// the whole object (the page cache would otherwise keep it all dirty).
final class FileSink: ObjectSink {
    private var fd: Int32
    let path: String
    private var written: Int64 = 0
    private var flushed: Int64 = 0
    private static let writebackStep: Int64 = 8 << 20

    /// nil when the directory is gone (a `delete` removed it once empty), or
    /// `removeLeftovers` took the file away before we locked it.
    init?(path: String) throws {
        self.path = path
        fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw LocalStorage.ioError("create", path)
        }
        var status = Foundation.stat()
        guard flock(fd, LOCK_EX | LOCK_NB) == 0, fstat(fd, &status) == 0, status.st_nlink > 0 else {
            Foundation.close(fd)
            fd = -1
            return nil
        }
    }

    deinit { abandon() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw LocalStorage.ioError("write", path)
            }
            offset += n
        }
        written += Int64(bytes.count)
        if written - flushed >= Self.writebackStep {
            _ = lifeboat_start_writeback(fd, flushed, written - flushed)
            flushed = written
        }
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw LocalStorage.ioError("sync", path) }
    }

    func close() throws {
        let status = Foundation.close(fd)
        fd = -1
        guard status == 0 else { throw LocalStorage.ioError("close", path) }
    }

    func abandon() {
        if fd >= 0 { Foundation.close(fd); fd = -1 }
    }
}

/// An object file opened for reading.
final class FileSource: ObjectSource {
    private let fd: Int32
    let path: String

    init(path: String, key: String) throws {
        self.path = path
        fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw StorageError.notFound(key: key) }
            throw LocalStorage.ioError("open", path)
        }
    }

    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Foundation.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw LocalStorage.ioError("read", path) }
        }
    }

    func pread(_ range: Range<Int64>) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(range.count))
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { Foundation.pread(fd, $0.baseAddress! + done, $0.count - done, off_t(range.lowerBound) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LocalStorage.ioError("read", path)
            }
            if n == 0 { break }
            done += n
        }
        return Array(out[0..<done])
    }
}

/// The owner of `path` (following symbolic links); nil when it cannot be read.
private func ownerOf(_ path: String) -> (uid: uid_t, gid: gid_t)? {
    var status = Foundation.stat()
    guard stat(path, &status) == 0 else { return nil }
    return (status.st_uid, status.st_gid)
}
