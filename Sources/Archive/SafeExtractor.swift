import CLibArchive
import Foundation

/// The owner given to every extracted file, e.g. the `postgres` OS user for a
/// restored data directory.
public struct FileOwner: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }
}

/// Extracts an archive under one destination directory and nowhere else.
///
/// Refused, before anything is written for the entry: absolute paths, `..`
/// components, symbolic or hard links whose target would resolve outside the
/// destination, and devices, FIFOs or sockets. libarchive additionally refuses to
/// write through any symbolic link (`ARCHIVE_EXTRACT_SECURE_SYMLINKS`), so an
/// archive cannot plant a link and then write through it.
///
/// Permissions are restored without set-user-ID/set-group-ID bits; modification
/// times are restored; ownership is set to `owner` when given (lifeboat running
/// as root restoring for PostgreSQL's OS user), and otherwise left to the
/// extracting user. Existing files are never overwritten.
public struct SafeExtractor {
    public let destination: String
    public let owner: FileOwner?

    /// `destination` must exist and be a directory; it is resolved to a real path
    /// first, so a symbolic link in the destination's own path is fine.
    public init(destination: String, owner: FileOwner? = nil) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ArchiveError.badDestination(path: destination, reason: "not an existing directory")
        }
        guard let resolved = realpath(destination, nil) else {
            throw ArchiveError.badDestination(path: destination, reason: String(cString: strerror(errno)))
        }
        defer { free(resolved) }
        self.destination = String(cString: resolved)
        self.owner = owner
    }

    /// Extracts every entry of `reader`; returns the number of entries written.
    @discardableResult
    public func extract(from reader: ArchiveReader) throws -> Int {
        guard let disk = archive_write_disk_new() else {
            throw ArchiveError.libarchive(operation: "archive_write_disk_new", message: "out of memory")
        }
        defer { archive_write_free(disk) }
        var flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_NO_OVERWRITE
            | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT
        if owner != nil { flags |= ARCHIVE_EXTRACT_OWNER }
        try checkArchive(archive_write_disk_set_options(disk, flags), disk, "set extract options")

        var count = 0
        while let info = try reader.nextEntry() {
            guard let entry = reader.currentEntry else { break }
            try check(info)
            let target = destination + "/" + Self.normalized(info.path)
            try refuseExisting(target, info: info)
            archive_entry_set_pathname_utf8(entry, target)
            if case let .hardlink(target) = info.kind {
                archive_entry_set_hardlink_utf8(entry, destination + "/" + Self.normalized(target))
            }
            archive_entry_set_perm(entry, mode_t(info.permissions & 0o1777))
            if let owner {
                archive_entry_set_uid(entry, la_int64_t(owner.uid))
                archive_entry_set_gid(entry, la_int64_t(owner.gid))
                archive_entry_set_uname(entry, nil)
                archive_entry_set_gname(entry, nil)
            }
            try checkArchive(archive_write_header(disk, entry), disk, "create \(info.path)")
            if info.kind == .file { try copyData(from: reader, to: disk, path: info.path) }
            try checkArchive(archive_write_finish_entry(disk), disk, "finish \(info.path)")
            count += 1
        }
        try checkArchive(archive_write_close(disk), disk, "close extraction")
        return count
    }

    /// Nothing already on disk is replaced; an existing directory may receive a
    /// directory entry (its permissions and time are then updated).
    private func refuseExisting(_ path: String, info: ArchiveEntryInfo) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        let isDirectory = status.st_mode & S_IFMT == S_IFDIR
        if info.kind == .directory, isDirectory { return }
        throw ArchiveError.unsafeEntry(path: info.path, reason: "something already exists there and is never overwritten")
    }

    private func copyData(from reader: ArchiveReader, to disk: OpaquePointer, path: String) throws {
        var block: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        while true {
            let status = archive_read_data_block(reader.archive, &block, &size, &offset)
            if status == ARCHIVE_EOF { return }
            try checkArchive(status, reader.archive, "read \(path)", callbackError: reader.sourceError)
            let written = archive_write_data_block(disk, block, size, offset)
            if written < ARCHIVE_OK {
                try checkArchive(Int32(truncatingIfNeeded: written), disk, "write \(path)")
            }
        }
    }

    /// Throws `ArchiveError.unsafeEntry` for anything that could land outside the destination.
    func check(_ info: ArchiveEntryInfo) throws { try Self.validate(info) }

    /// Throws `ArchiveError.unsafeEntry` for an entry that could land outside
    /// whatever directory it is extracted into: absolute paths, `..`, links
    /// that escape, devices.
    public static func validate(_ info: ArchiveEntryInfo) throws {
        try Self.checkRelative(info.path, entry: info.path, what: "path")
        switch info.kind {
        case .file, .directory:
            return
        case .special:
            throw ArchiveError.unsafeEntry(path: info.path, reason: "devices, FIFOs and sockets are never extracted")
        case let .hardlink(target):
            try Self.checkRelative(target, entry: info.path, what: "hard link target")
        case let .symlink(target):
            guard !target.hasPrefix("/") else {
                throw ArchiveError.unsafeEntry(path: info.path, reason: "symbolic link to absolute path '\(target)'")
            }
            // Links point down only: no '..' at all. A lexical check of '..' is not
            // enough, as other links on the way change what '..' means (`d/t -> ..`
            // then `s -> d/t/..` leaves the destination though each looks inside).
            guard !Self.components(target).contains("..") else {
                throw ArchiveError.unsafeEntry(path: info.path, reason: "symbolic link '\(target)' contains '..' and could point outside the destination")
            }
            guard !Self.components(target).isEmpty else {
                throw ArchiveError.unsafeEntry(path: info.path, reason: "symbolic link with an empty target")
            }
        }
    }

    private static func checkRelative(_ path: String, entry: String, what: String) throws {
        if path.hasPrefix("/") {
            throw ArchiveError.unsafeEntry(path: entry, reason: "\(what) is absolute")
        }
        if components(path).contains("..") {
            throw ArchiveError.unsafeEntry(path: entry, reason: "\(what) contains '..'")
        }
        if components(path).isEmpty {
            throw ArchiveError.unsafeEntry(path: entry, reason: "\(what) is empty")
        }
    }

    private static func components(_ path: String) -> [Substring] {
        path.split(separator: "/").filter { $0 != "." }
    }

    private static func normalized(_ path: String) -> String {
        components(path).joined(separator: "/")
    }
}
