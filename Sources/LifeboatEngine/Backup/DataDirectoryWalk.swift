import CFileSupport
import Foundation

/// What a base backup copies from a data directory, with the exclusions
/// PostgreSQL's own base backup applies (`basebackup.c`): the contents of
/// `pg_wal` and of the runtime directories (their directories are kept
/// empty), the server's pid and options files, temporary files, relcache
/// init files, unlogged relations other than their init fork, and temporary
/// relations. `global/pg_control` is left out of the walk: it is copied last,
/// after every other file, as PostgreSQL does.
///
/// Paths are relative to the data directory. Entries come in directory order
/// (names sorted, each once: a path listed twice would make the backup
/// unrestorable), parents before their contents; memory stays the same
/// however many files a directory holds (`forEachName`). A file or directory
/// that disappears while the walk runs (a dropped table) is skipped: WAL
/// replay recreates the state.
struct DataDirectoryWalk {
    struct Entry: Equatable {
        enum Kind: Equatable { case file(size: Int64), directory, symlink(target: String) }
        var path: String
        var kind: Kind
        var mode: UInt32
        var mtime: Int64
    }

    static let controlFile = "global/pg_control"
    /// Directories whose contents are not copied (the directory itself is).
    static let excludedContents: Set<String> = [
        "pg_wal", "pg_stat_tmp", "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans",
    ]
    /// Top-level files never copied: the running server's, or an earlier backup's.
    static let excludedFiles: Set<String> = [
        "postmaster.pid", "postmaster.opts", "postgresql.auto.conf.tmp", "current_logfiles.tmp",
        "backup_label", "backup_label.old", "tablespace_map", "tablespace_map.old", "backup_manifest",
    ]

    let root: String

    /// Every entry to copy, `pg_control` excluded, handed to `visit` as it is found.
    func forEach(_ visit: (Entry) throws -> Void) throws {
        try walk("", visit)
    }

    private func walk(_ relative: String, _ visit: (Entry) throws -> Void) throws {
        let directory = relative.isEmpty ? root : root + "/" + relative
        var initForks: [String] = []
        guard try Self.readNames(directory, { if $0.hasSuffix("_init") { initForks.append($0) } }) else {
            if relative.isEmpty { throw LocalFile.Failure(operation: "read the directory", path: directory, code: ENOENT) }
            return
        }
        let unlogged = Self.unloggedRelations(in: initForks)
        try Self.forEachName(in: directory) { name in
            let path = relative.isEmpty ? name : relative + "/" + name
            if relative.isEmpty, Self.excludedFiles.contains(name) { return }
            if path == Self.controlFile || name.hasPrefix("pgsql_tmp") || name.hasPrefix("pg_internal.init") { return }
            if Self.isTemporaryRelation(name) || unlogged.contains(Self.relationNode(name)) && !name.hasSuffix("_init") { return }
            var status = stat()
            guard lstat(root + "/" + path, &status) == 0 else {
                if errno == ENOENT { return }
                throw LocalFile.Failure(operation: "read", path: root + "/" + path, code: errno)
            }
            let mode = UInt32(status.st_mode) & 0o7777
            let mtime = Int64(status.st_mtim.tv_sec)
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                try visit(Entry(path: path, kind: .file(size: Int64(status.st_size)), mode: mode, mtime: mtime))
            case S_IFDIR:
                try visit(Entry(path: path, kind: .directory, mode: mode, mtime: mtime))
                if !Self.excludedContents.contains(path) { try walk(path, visit) } else if path == "pg_wal" {
                    try visit(Entry(path: "pg_wal/archive_status", kind: .directory, mode: 0o700, mtime: mtime))
                }
            case S_IFLNK where path == "pg_wal":
                // A WAL directory elsewhere (initdb --waldir) is restored as a plain, empty directory.
                try visit(Entry(path: path, kind: .directory, mode: 0o700, mtime: mtime))
                try visit(Entry(path: "pg_wal/archive_status", kind: .directory, mode: 0o700, mtime: mtime))
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlink(root + "/" + path, &buffer, buffer.count - 1)
                guard length >= 0 else { throw LocalFile.Failure(operation: "read the link", path: root + "/" + path, code: errno) }
                let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                try visit(Entry(path: path, kind: .symlink(target: target), mode: mode, mtime: mtime))
            default:
                return  // sockets, pipes and devices are not data
            }
        }
    }

    /// Names handed out by a pass over a directory (see `forEachName`).
    static let namesPerPass = 8_192

    /// The names in `directory` (`.` and `..` left out), sorted and each once,
    /// however the directory changes meanwhile: every pass over it keeps the
    /// `batch` smallest names after the last one handed out, so memory holds
    /// at most twice that many names (about 0.3 MiB for `namesPerPass`),
    /// whatever the directory holds. A directory that disappears ends the walk of it.
    static func forEachName(in directory: String, batch: Int = namesPerPass, _ body: (String) throws -> Void) throws {
        var last: String?
        while true {
            var kept: [String] = []
            var cutoff: String?
            var more = false
            func trim() {
                kept.sort()
                var unique = 0
                for index in kept.indices where unique == 0 || kept[index] != kept[unique - 1] {
                    kept.swapAt(unique, index)
                    unique += 1
                }
                kept.removeLast(kept.count - unique)
                if kept.count > batch {
                    kept.removeLast(kept.count - batch)
                    more = true
                }
                cutoff = more ? kept.last : nil
            }
            let found = try readNames(directory) { name in
                if let last, name <= last { return }
                if let cutoff, name >= cutoff { return }
                kept.append(name)
                if kept.count == 2 * batch { trim() }
            }
            guard found else { return }
            trim()
            // Subdirectories are walked from `body`, after this pass closed the directory.
            for name in kept { try body(name) }
            guard more, let next = kept.last else { return }
            last = next
        }
    }

    /// One pass of `readdir` over `directory`; false when it does not exist.
    static func readNames(_ directory: String, _ each: (String) -> Void) throws -> Bool {
        guard let stream = opendir(directory) else {
            if errno == ENOENT { return false }
            throw LocalFile.Failure(operation: "read the directory", path: directory, code: errno)
        }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let name = String(cString: lifeboat_dirent_name(entry))
            if name != ".", name != ".." { each(name) }
        }
        return true
    }

    /// `t<backend>_<relfilenode>[_fork][.segment]`: a temporary relation.
    static func isTemporaryRelation(_ name: String) -> Bool {
        guard name.first == "t" else { return false }
        let rest = name.dropFirst().split(separator: "_", maxSplits: 1)
        guard rest.count == 2, !rest[0].isEmpty, rest[0].allSatisfy(\.isASCIIDigit) else { return false }
        return rest[1].first?.isASCIIDigit == true
    }

    /// The relfilenode a relation file belongs to ("16384" for "16384_fsm.2"), or "" for other files.
    static func relationNode(_ name: String) -> Substring {
        let digits = name.prefix { $0.isASCIIDigit }
        guard !digits.isEmpty else { return "" }
        let rest = name.dropFirst(digits.count)
        guard rest.isEmpty || rest.first == "_" || rest.first == "." else { return "" }
        return digits
    }

    /// The relfilenodes in a directory that have an init fork: unlogged relations.
    static func unloggedRelations(in names: [String]) -> Set<Substring> {
        Set(names.filter { $0.hasSuffix("_init") }.map(relationNode).filter { !$0.isEmpty })
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
