import Foundation
import Testing
@testable import LifeboatEngine

/// The restore's gathering writer puts every byte where it belongs, whatever
/// the pieces: runs broken off and resumed, files switched in the middle of a
/// run, pieces across gathering boundaries, a file left and come back to.
@Suite struct AlignedFileWriterTests {
    @Test(arguments: [1, 7, 4096, 5000, 70_000])
    func piecesLandWhereTheyBelong(pieceSize: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aligned-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = (0..<3).map { "\(directory)/file-\($0)" }
        var expected = [[UInt8]](repeating: [UInt8](repeating: 0, count: 200_000), count: 3)
        var generator = SystemRandomNumberGenerator()
        // (file, offset, length): a run from an unaligned offset across several
        // boundaries, a gap, another file, and back to the first file.
        let runs: [(Int, Int, Int)] = [(0, 3_001, 60_000), (0, 70_000, 50_000), (1, 0, 200_000), (0, 120_000, 80_000), (2, 199_999, 1),
                                       (0, 0, 3_001), (0, 63_001, 6_999)]
        let writer = AlignedFileWriter(alignment: 16_384)
        for (file, offset, length) in runs {
            var at = offset
            while at < offset + length {
                let n = min(pieceSize, offset + length - at)
                let piece = (0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) }
                expected[file].replaceSubrange(at..<at + n, with: piece)
                try piece.withUnsafeBytes { bytes in
                    try writer.write(bytes, at: Int64(at), file: file) { try LocalFile(path: paths[file], flags: O_WRONLY | O_CREAT) }
                }
                at += n
            }
        }
        try writer.close()
        for file in 0..<3 {
            let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: paths[file])))
            #expect(written == expected[file], "file \(file)")
        }
    }
}
