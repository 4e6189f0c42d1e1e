import CLibArchive
import Foundation

/// What an archive entry is.
public enum ArchiveEntryKind: Sendable, Equatable {
    case file
    case directory
    case symlink(target: String)
    case hardlink(target: String)
    /// Devices, FIFOs and sockets: never written by lifeboat, never extracted.
    case special
}

/// The header of one archive entry.
public struct ArchiveEntryInfo: Sendable, Equatable {
    /// Relative path inside the archive, `/`-separated.
    public var path: String
    public var kind: ArchiveEntryKind
    /// Size of the data that follows the header (0 for anything but a file).
    public var size: Int64
    /// Permission bits (`0o600`, `0o700`, …).
    public var permissions: UInt32
    /// Modification time, seconds since the epoch.
    public var modificationTime: Int64

    public init(path: String, kind: ArchiveEntryKind, size: Int64 = 0, permissions: UInt32 = 0o600, modificationTime: Int64 = 0) {
        self.path = path
        self.kind = kind
        self.size = size
        self.permissions = permissions
        self.modificationTime = modificationTime
    }
}

/// File-type bits of `archive_entry_filetype` (`AE_IF*`, whose C casts Swift cannot import).
enum FileTypeBits {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let symlink: UInt32 = 0o120000
}

extension ArchiveEntryInfo {
    /// Reads the header fields out of a libarchive entry.
    init(entry: OpaquePointer) {
        let path = archive_entry_pathname_utf8(entry).map { String(cString: $0) }
            ?? archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        let type = UInt32(archive_entry_filetype(entry)) & FileTypeBits.mask
        let kind: ArchiveEntryKind
        if let link = archive_entry_hardlink(entry) {
            kind = .hardlink(target: String(cString: link))
        } else if type == FileTypeBits.regular {
            kind = .file
        } else if type == FileTypeBits.directory {
            kind = .directory
        } else if type == FileTypeBits.symlink {
            kind = .symlink(target: archive_entry_symlink(entry).map { String(cString: $0) } ?? "")
        } else {
            kind = .special
        }
        self.init(
            path: path,
            kind: kind,
            size: archive_entry_size(entry),
            permissions: UInt32(archive_entry_perm(entry)),
            modificationTime: Int64(archive_entry_mtime(entry))
        )
    }

    /// Fills a libarchive entry from these fields.
    func apply(to entry: OpaquePointer) {
        archive_entry_set_pathname_utf8(entry, path)
        archive_entry_set_perm(entry, mode_t(permissions & 0o7777))
        archive_entry_set_mtime(entry, time_t(modificationTime), 0)
        switch kind {
        case .file:
            archive_entry_set_filetype(entry, FileTypeBits.regular)
            archive_entry_set_size(entry, size)
        case .directory:
            archive_entry_set_filetype(entry, FileTypeBits.directory)
            archive_entry_set_size(entry, 0)
        case let .symlink(target):
            archive_entry_set_filetype(entry, FileTypeBits.symlink)
            archive_entry_set_symlink_utf8(entry, target)
            archive_entry_set_size(entry, 0)
        case let .hardlink(target):
            archive_entry_set_filetype(entry, FileTypeBits.regular)
            archive_entry_set_hardlink_utf8(entry, target)
            archive_entry_set_size(entry, 0)
        case .special:
            archive_entry_set_size(entry, 0)
        }
    }
}
