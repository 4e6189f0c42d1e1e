import CLibArchive
import Foundation

/// Reads a tar (or raw) stream in any compression libarchive knows, pulling
/// bytes from a source closure, so that it can consume the unsealing stage
/// directly.
///
/// Use: `nextEntry` until it returns nil; after each header, `readData` until it
/// returns 0 (or skip to the next entry). A raw stream has one entry. Not thread-safe.
public final class ArchiveReader {
    /// Fills the buffer with the next bytes of the stream and returns how many;
    /// 0 means the end of the stream.
    public typealias Source = (UnsafeMutableRawBufferPointer) throws -> Int

    let archive: OpaquePointer
    private let sourceBox: SourceBox
    var currentEntry: OpaquePointer?

    /// Opens a reader that pulls from `source` in pieces of up to `bufferSize`
    /// bytes. `compression` is the algorithm the stream was written with, when
    /// known: only its decoder is enabled, so uncompressed bytes that happen to
    /// start like a compressed stream are never mistaken for one. Nil detects
    /// any algorithm lifeboat writes.
    public convenience init(format: ArchiveFormat = .tar, bufferSize: Int = 256 * 1024, compression: Compression.Algorithm? = nil,
                            source: @escaping Source) throws {
        try self.init(format: format, compression: compression, box: SourceBox(source: source, bufferSize: bufferSize))
    }

    /// Opens a reader that takes the stream in the pieces `lend` returns,
    /// straight from where they lie (no copy): each must stay valid until the
    /// next call; an empty one is the end of the stream.
    public convenience init(format: ArchiveFormat = .tar, compression: Compression.Algorithm? = nil,
                            lending lend: @escaping () throws -> UnsafeRawBufferPointer) throws {
        try self.init(format: format, compression: compression, box: SourceBox(lend: lend))
    }

    private init(format: ArchiveFormat, compression: Compression.Algorithm?, box: SourceBox) throws {
        guard let archive = archive_read_new() else {
            throw ArchiveError.libarchive(operation: "archive_read_new", message: "out of memory")
        }
        self.archive = archive
        self.sourceBox = box
        // From here on, deinit frees the archive, also when opening fails.
        let algorithms = compression.map { [$0] } ?? Compression.Algorithm.allCases
        for algorithm in algorithms {
            let status: Int32 = switch algorithm {
            case .none: ARCHIVE_OK
            case .gzip: archive_read_support_filter_gzip(archive)
            case .lz4: archive_read_support_filter_lz4(archive)
            case .xz: archive_read_support_filter_xz(archive)
            case .zstd: archive_read_support_filter_zstd(archive)
            }
            try checkArchive(status, archive, "enable \(algorithm.rawValue) decompression")
        }
        switch format {
        case .tar: try checkArchive(archive_read_support_format_tar(archive), archive, "enable tar")
        case .raw: try checkArchive(archive_read_support_format_raw(archive), archive, "enable raw")
        }
        let opened = archive_read_open(archive, Unmanaged.passUnretained(sourceBox).toOpaque(), nil, readCallback, nil)
        try checkArchive(opened, archive, "open", callbackError: sourceBox.error)
    }

    deinit { archive_read_free(archive) }

    /// The next entry's header, or nil at the end of the archive.
    public func nextEntry() throws -> ArchiveEntryInfo? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(archive, &entry)
        if status == ARCHIVE_EOF { currentEntry = nil; return nil }
        try checkArchive(status, archive, "read header", callbackError: sourceBox.error)
        guard let entry else { throw ArchiveError.libarchive(operation: "read header", message: "no entry returned") }
        currentEntry = entry
        var info = ArchiveEntryInfo(entry: entry)
        // tar writes directories with a trailing slash; paths are compared without it.
        while info.path.count > 1, info.path.hasSuffix("/") { info.path.removeLast() }
        return info
    }

    /// Reads the current entry's data into `buffer`; returns 0 at its end.
    public func readData(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = archive_read_data(archive, buffer.baseAddress, buffer.count)
        if count < 0 {
            try checkArchive(Int32(truncatingIfNeeded: count), archive, "read data", callbackError: sourceBox.error)
            return 0
        }
        return count
    }

    /// The next piece of the current entry's data where libarchive already
    /// holds it (its decompression buffer: no copy), valid until the next call;
    /// empty at the entry's end.
    public func readBlock() throws -> UnsafeRawBufferPointer {
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        let status = archive_read_data_block(archive, &buffer, &size, &offset)
        if status == ARCHIVE_EOF { return UnsafeRawBufferPointer(start: nil, count: 0) }
        try checkArchive(status, archive, "read data", callbackError: sourceBox.error)
        return UnsafeRawBufferPointer(start: buffer, count: buffer == nil ? 0 : size)
    }

    /// The error our source threw, if that is what stopped libarchive.
    var sourceError: Error? { sourceBox.error }
}

/// Carries the source (a copying one and its buffer, or a lending one) and
/// any error it threw across the C boundary.
private final class SourceBox {
    let source: ArchiveReader.Source?
    let lend: (() throws -> UnsafeRawBufferPointer)?
    let buffer: UnsafeMutableRawBufferPointer?
    var error: Error?

    init(source: @escaping ArchiveReader.Source, bufferSize: Int) {
        self.source = source
        lend = nil
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    init(lend: @escaping () throws -> UnsafeRawBufferPointer) {
        source = nil
        self.lend = lend
        buffer = nil
    }

    deinit { buffer?.deallocate() }

    /// The next bytes of the stream: where they are and how many.
    func next() throws -> (UnsafeRawPointer?, Int) {
        if let lend {
            let piece = try lend()
            return (piece.baseAddress, piece.count)
        }
        guard let source, let buffer else { return (nil, 0) }
        return (UnsafeRawPointer(buffer.baseAddress), try source(buffer))
    }
}

private func readCallback(_: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeRawPointer?>?) -> la_ssize_t {
    guard let client, let out else { return -1 }
    let box = Unmanaged<SourceBox>.fromOpaque(client).takeUnretainedValue()
    do {
        let (bytes, count) = try box.next()
        out.pointee = bytes
        return count
    } catch {
        box.error = error
        return -1
    }
}
