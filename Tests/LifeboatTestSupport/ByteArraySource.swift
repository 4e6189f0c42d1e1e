/// Serves an in-memory byte array to the streaming readers under test, in
/// pieces of at most `pieceSize` bytes (to exercise partial reads).
public final class ByteArraySource {
    private let bytes: [UInt8]
    private let pieceSize: Int
    private var offset = 0

    public init(_ bytes: [UInt8], pieceSize: Int = .max) {
        self.bytes = bytes
        self.pieceSize = pieceSize
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(buffer.count, bytes.count - offset, pieceSize)
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
        offset += n
        return n
    }
}
