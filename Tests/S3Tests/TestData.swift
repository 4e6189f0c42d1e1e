import Foundation
import Repository

/// Deterministic, incompressible-looking bytes: byte `i` of every test object.
func testByte(_ i: Int, seed: Int = 0) -> UInt8 {
    UInt8(truncatingIfNeeded: ((i &+ seed) &* 2_654_435_761) >> 13)
}

/// Writes `size` test bytes to `sink` in writes of `writeSize` bytes.
func writeTestBytes(_ sink: ObjectSink, size: Int, writeSize: Int, seed: Int = 0) throws {
    var chunk = [UInt8](repeating: 0, count: writeSize)
    var offset = 0
    while offset < size {
        let count = min(writeSize, size - offset)
        for i in 0..<count { chunk[i] = testByte(offset + i, seed: seed) }
        try chunk.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        offset += count
    }
}

/// Reads `source` to its end in reads of `readSize` bytes; returns how many
/// bytes it had and whether each was the test byte expected there.
func readTestBytes(_ source: ObjectSource, readSize: Int, seed: Int = 0) throws -> (count: Int, matches: Bool) {
    var buffer = [UInt8](repeating: 0, count: readSize)
    var offset = 0
    var matches = true
    while true {
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        if n == 0 { return (offset, matches) }
        for i in 0..<n where buffer[i] != testByte(offset + i, seed: seed) { matches = false }
        offset += n
    }
}
