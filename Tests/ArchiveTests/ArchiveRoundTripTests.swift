import Archive
import Foundation
import LifeboatTestSupport
import Testing

/// Streams written through `ArchiveWriter` come back byte for byte through
/// `ArchiveReader`, for every compression lifeboat offers.
@Suite struct ArchiveRoundTripTests {
    /// Deterministic bytes: half text-like (compressible), half pseudo-random.
    static func sample(_ count: Int, seed: UInt64 = 42) -> [UInt8] {
        var state = seed
        return (0..<count).map { index in
            if (index / 4096) % 2 == 0 { return UInt8(ascii: "a") + UInt8(index % 23) }
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    static func pack(_ files: [(String, [UInt8])], compression: Compression) throws -> [UInt8] {
        var stream: [UInt8] = []
        let writer = try ArchiveWriter(compression: compression) { stream.append(contentsOf: $0) }
        try writer.writeHeader(ArchiveEntryInfo(path: "base", kind: .directory, permissions: 0o700))
        for (path, contents) in files {
            try writer.writeFile(path: path, contents: contents, permissions: 0o640, modificationTime: 1_700_000_000)
        }
        try writer.finish()
        return stream
    }

    static func unpack(_ stream: [UInt8]) throws -> [(ArchiveEntryInfo, [UInt8])] {
        let source = ByteArraySource(stream)
        let reader = try ArchiveReader(bufferSize: 4096, source: source.read(into:))
        var out: [(ArchiveEntryInfo, [UInt8])] = []
        while let entry = try reader.nextEntry() {
            out.append((entry, try reader.wholeEntry()))
        }
        return out
    }

    static let compressions: [Compression] = [
        .none, Compression(.gzip, level: 6), Compression(.lz4, level: 1), Compression(.xz, level: 1),
        Compression(.zstd, level: 3), Compression(.zstd, level: 3, threads: 2),
    ]

    @Test(arguments: compressions)
    func roundTripPreservesContentAndMetadata(_ compression: Compression) throws {
        let files = [("base/empty", [UInt8]()), ("base/one", [7]), ("base/big", Self.sample(300_000))]
        let stream = try Self.pack(files, compression: compression)
        let entries = try Self.unpack(stream)
        #expect(entries.map(\.0.path) == ["base"] + files.map(\.0))
        #expect(entries[0].0.kind == .directory)
        for ((entry, data), (path, contents)) in zip(entries.dropFirst(), files) {
            #expect(entry.path == path)
            #expect(entry.kind == .file)
            #expect(entry.size == Int64(contents.count))
            #expect(entry.permissions == 0o640)
            #expect(entry.modificationTime == 1_700_000_000)
            #expect(data == contents)
        }
    }

    @Test func compressionShrinksCompressibleData() throws {
        let text = [("t", [UInt8](repeating: UInt8(ascii: "x"), count: 200_000))]
        let plain = try Self.pack(text, compression: .none).count
        let zstd = try Self.pack(text, compression: Compression(.zstd, level: 3)).count
        #expect(zstd * 20 < plain)
    }

    @Test func aFailingSinkStopsTheWriterWithItsOwnError() throws {
        struct DiskFull: Error {}
        var calls = 0
        let writer = try ArchiveWriter(compression: .none) { _ in
            calls += 1
            throw DiskFull()
        }
        #expect(throws: DiskFull.self) {
            try writer.writeFile(path: "f", contents: Self.sample(100_000))
            try writer.finish()
        }
        #expect(calls >= 1)
    }

    @Test func truncatedStreamIsAnError() throws {
        let stream = try Self.pack([("f", Self.sample(200_000))], compression: Compression(.zstd, level: 3))
        #expect(throws: ArchiveError.self) { _ = try Self.unpack(Array(stream.prefix(stream.count / 2))) }
    }
}

/// A raw stream: one compressed stream of unknown length, for program output.
@Suite struct RawStreamTests {
    @Test(arguments: [Compression.none, Compression(.zstd, level: 3, threads: 2), Compression(.gzip), Compression(.lz4), Compression(.xz, level: 1)])
    func rawStreamRoundTrip(_ compression: Compression) throws {
        let data = ArchiveRoundTripTests.sample(1_234_567)
        var stream: [UInt8] = []
        let writer = try ArchiveWriter(compression: compression, format: .raw) { stream.append(contentsOf: $0) }
        var offset = 0
        while offset < data.count {
            let n = min(100_000, data.count - offset)
            try writer.writeData(Array(data[offset..<offset + n]))
            offset += n
        }
        try writer.finish()
        let source = ByteArraySource(stream)
        let reader = try ArchiveReader(format: .raw, source: source.read(into:))
        #expect(try reader.nextEntry() != nil)
        #expect(try reader.wholeEntry() == data)
        #expect(try reader.nextEntry() == nil)
    }
}

extension ArchiveReader {
    /// The current entry's data, all of it.
    func wholeEntry() throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while case let n = try chunk.withUnsafeMutableBytes({ try readData(into: $0) }), n > 0 { out += chunk[0..<n] }
        return out
    }
}
