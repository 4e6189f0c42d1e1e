import Archive
@testable import LifeboatEngine
import Testing

/// What a parallel (`pg_dump -Fd -j N`) dump is compressed with: the policy's
/// own algorithm and level where pg_dump 16+ can, else gzip at a level as fast
/// as the policy asked for — and never uncompressed on the local disk.
@Suite struct DirectoryDumpCompressionTests {
    @Test(arguments: [
        (Compression.Algorithm.zstd, 3, 16, "zstd:3"), (.lz4, 1, 17, "lz4:1"), (.gzip, 4, 16, "gzip:4"), (.xz, 6, 16, "6"),
        (.zstd, 3, 15, "1"), (.zstd, 1, 14, "1"), (.lz4, 5, 15, "1"), (.zstd, 9, 15, "6"), (.gzip, 9, 15, "9"),
        (.xz, 2, 15, "6"), (.none, 0, 15, "6"), (.none, 0, 16, "6"),
    ])
    func levelFollowsThePolicy(_ algorithm: Compression.Algorithm, _ level: Int, _ major: Int, _ expected: String) {
        #expect(LogicalBackup.dumpCompression(Compression(algorithm, level: level), major: major) == expected)
    }
}
