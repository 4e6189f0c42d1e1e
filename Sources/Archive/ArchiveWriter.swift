import CLibArchive
import Foundation

/// Writes a pax tar stream (or a single raw stream), compressed by the chosen
/// filter, into a sink closure — never to a file of its own — so that it can
/// feed the sealing and upload stages directly.
///
/// Use for tar: `writeHeader` for an entry, then `writeData` until its size is
/// reached, repeat; `finish` flushes the compressor. For raw: `writeData` only,
/// then `finish`. Not thread-safe.
public final class ArchiveWriter {
    /// Receives compressed bytes as they are produced; throwing stops the archive.
    public typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    private let archive: OpaquePointer
    private let sinkBox: SinkBox
    private let entry: OpaquePointer
    private var finished = false

    /// Opens a writer with `compression` that hands its output to `sink`.
    public init(compression: Compression, format: ArchiveFormat = .tar, sink: @escaping Sink) throws {
        guard let archive = archive_write_new() else {
            throw ArchiveError.libarchive(operation: "archive_write_new", message: "out of memory")
        }
        guard let entry = archive_entry_new() else {
            archive_write_free(archive)
            throw ArchiveError.libarchive(operation: "archive_entry_new", message: "out of memory")
        }
        self.archive = archive
        self.entry = entry
        self.sinkBox = SinkBox(sink: sink)
        // From here on, deinit frees both, also when configuration fails.
        try configure(compression, format: format)
        let opened = archive_write_open2(archive, Unmanaged.passUnretained(sinkBox).toOpaque(), nil, writeCallback, nil, nil)
        try checkArchive(opened, archive, "open", callbackError: sinkBox.error)
        if format == .raw {
            // The raw format's single entry; its size is not needed.
            try writeHeader(ArchiveEntryInfo(path: "data", kind: .file))
        }
    }

    deinit {
        archive_entry_free(entry)
        archive_write_free(archive)
    }

    private func configure(_ compression: Compression, format: ArchiveFormat) throws {
        switch format {
        case .tar: try checkArchive(archive_write_set_format_pax_restricted(archive), archive, "set format pax")
        case .raw: try checkArchive(archive_write_set_format_raw(archive), archive, "set format raw")
        }
        // No padding of the final block: the stream ends where the data ends.
        try checkArchive(archive_write_set_bytes_in_last_block(archive, 1), archive, "set last block")
        let filter: String
        switch compression.algorithm {
        case .none: try checkArchive(archive_write_add_filter_none(archive), archive, "add filter none"); return
        case .gzip: filter = "gzip"; try checkArchive(archive_write_add_filter_gzip(archive), archive, "add filter gzip")
        case .lz4: filter = "lz4"; try checkArchive(archive_write_add_filter_lz4(archive), archive, "add filter lz4")
        case .xz: filter = "xz"; try checkArchive(archive_write_add_filter_xz(archive), archive, "add filter xz")
        case .zstd: filter = "zstd"; try checkArchive(archive_write_add_filter_zstd(archive), archive, "add filter zstd")
        }
        try checkArchive(archive_write_set_filter_option(archive, filter, "compression-level", String(compression.level)),
                         archive, "set \(filter) level \(compression.level)")
        if compression.threads > 1, compression.algorithm == .zstd || compression.algorithm == .xz {
            try checkArchive(archive_write_set_filter_option(archive, filter, "threads", String(compression.threads)),
                             archive, "set \(filter) threads \(compression.threads)")
        }
    }

    /// Starts an entry. For a file, exactly `info.size` bytes of `writeData` must follow.
    public func writeHeader(_ info: ArchiveEntryInfo) throws {
        archive_entry_clear(entry)
        info.apply(to: entry)
        try checkArchive(archive_write_header(archive, entry), archive, "write header for \(info.path)", callbackError: sinkBox.error)
    }

    /// Appends data to the current file entry.
    public func writeData(_ bytes: UnsafeRawBufferPointer) throws {
        var remaining = bytes
        while remaining.count > 0 {
            let written = archive_write_data(archive, remaining.baseAddress, remaining.count)
            if written < 0 {
                try checkArchive(Int32(truncatingIfNeeded: written), archive, "write data", callbackError: sinkBox.error)
                throw ArchiveError.libarchive(operation: "write data", message: "short write")
            }
            guard written > 0 else { throw ArchiveError.libarchive(operation: "write data", message: "more data than the entry's size") }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
        }
    }

    /// Appends data to the current file entry.
    public func writeData(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeData($0) }
    }

    /// Writes a complete small file entry in one call.
    public func writeFile(path: String, contents: [UInt8], permissions: UInt32 = 0o600, modificationTime: Int64 = 0) throws {
        try writeHeader(ArchiveEntryInfo(path: path, kind: .file, size: Int64(contents.count), permissions: permissions, modificationTime: modificationTime))
        try writeData(contents)
    }

    /// Ends the archive and flushes the compressor into the sink.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try checkArchive(archive_write_close(archive), archive, "close", callbackError: sinkBox.error)
    }
}

/// Carries the sink and any error it threw across the C callback boundary.
private final class SinkBox {
    let sink: ArchiveWriter.Sink
    var error: Error?
    init(sink: @escaping ArchiveWriter.Sink) { self.sink = sink }
}

private func writeCallback(_: OpaquePointer?, _ client: UnsafeMutableRawPointer?, _ buffer: UnsafeRawPointer?, _ length: Int) -> la_ssize_t {
    guard let client else { return -1 }
    let box = Unmanaged<SinkBox>.fromOpaque(client).takeUnretainedValue()
    do {
        try box.sink(UnsafeRawBufferPointer(start: buffer, count: length))
        return length
    } catch {
        box.error = error
        return -1
    }
}
