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
    public init(format: ArchiveFormat = .tar, bufferSize: Int = 256 * 1024, compression: Compression.Algorithm? = nil,
                source: @escaping Source) throws {
        guard let archive = archive_read_new() else {
            throw ArchiveError.libarchive(operation: "archive_read_new", message: "out of memory")
        }
        self.archive = archive
        self.sourceBox = SourceBox(source: source, bufferSize: bufferSize)
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

    /// The current entry's whole data, for small entries.
    public func readAll(limit: Int = 64 << 20) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try readData(into: $0) }
            if n == 0 { return out }
            guard out.count + n <= limit else {
                throw ArchiveError.libarchive(operation: "read data", message: "entry larger than \(limit) bytes")
            }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// The error our source threw, if that is what stopped libarchive.
    var sourceError: Error? { sourceBox.error }
}

/// Carries the source, its buffer and any error it threw across the C boundary.
private final class SourceBox {
    let source: ArchiveReader.Source
    let buffer: UnsafeMutableRawBufferPointer
    var error: Error?

    init(source: @escaping ArchiveReader.Source, bufferSize: Int) {
        self.source = source
        self.buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit { buffer.deallocate() }
}

private func readCallback(_: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeRawPointer?>?) -> la_ssize_t {
    guard let client, let out else { return -1 }
    let box = Unmanaged<SourceBox>.fromOpaque(client).takeUnretainedValue()
    do {
        let count = try box.source(box.buffer)
        out.pointee = UnsafeRawPointer(box.buffer.baseAddress)
        return count
    } catch {
        box.error = error
        return -1
    }
}
