import Foundation
@testable import LifeboatEngine
import Testing

/// The temporary file that holds a backup's file lists: every byte appended
/// reads back, from any position, through readers that do not disturb each other.
@Suite struct SpillFileTests {
    @Test func bytesReadBackWhateverThePiecesAndReaders() throws {
        let spill = try SpillFile()
        var expected: [UInt8] = []
        var generator = SystemRandomNumberGenerator()
        for size in [0, 1, 100, 65_535, 65_536, 200_000, 3, 70_000] {
            let piece = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try spill.append(piece)
            expected += piece
        }
        try spill.append("text ✓")
        expected += Array("text ✓".utf8)
        try spill.flush()
        #expect(spill.length == Int64(expected.count))

        let first = spill.reader()
        let second = spill.reader(from: 100_000)
        #expect(try first.read(count: 10) == Array(expected[0..<10]))
        #expect(try second.read(count: 5) == Array(expected[100_000..<100_005]))
        #expect(try first.read(count: expected.count - 10) == Array(expected[10...]))
        #expect(try first.read(count: 1) == nil, "the end")
        #expect(throws: (any Error).self) { try spill.reader(from: Int64(expected.count - 2)).read(count: 3) }

        let source = spill.source(between: Array("head".utf8), and: Array("tail".utf8))
        var whole: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 7_777, alignment: 8)
        defer { buffer.deallocate() }
        while case let n = try source(buffer), n > 0 { whole += buffer[0..<n] }
        #expect(whole == Array("head".utf8) + expected + Array("tail".utf8))
    }

    @Test func itIsUnlinkedAtOnceAndOnlyItsOwnerCouldOpenIt() throws {
        let spill = try SpillFile()
        try spill.append([1, 2, 3])
        try spill.flush()
        let spilled = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { fd -> (String, String)? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd),
                  target.contains("lifeboat-spill.") else { return nil }
            return ("/proc/self/fd/" + fd, target)
        }
        #expect(!spilled.isEmpty)
        for (descriptor, target) in spilled {
            #expect(target.hasSuffix("(deleted)"), "\(target)")
            var status = stat()
            #expect(stat(descriptor, &status) == 0 && status.st_mode & 0o777 == 0o600)
        }
        withExtendedLifetime(spill) {}
    }
}
