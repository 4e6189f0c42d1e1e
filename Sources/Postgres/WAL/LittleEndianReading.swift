extension UnsafeRawBufferPointer {
    /// The little-endian integer at `offset`, or nil when it does not fit in
    /// the buffer. WAL is written in the server's byte order; lifeboat reads
    /// WAL of little-endian servers (x86-64, ARM64), as nearly all are.
    func littleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        guard offset >= 0, offset <= count - MemoryLayout<T>.size else { return nil }
        return T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

/// Reads little-endian fields one after the other, as C structs packed
/// without padding lay them out.
struct LittleEndianCursor {
    let bytes: UnsafeRawBufferPointer
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Bytes left after the cursor (negative once it has run past the end).
    var remaining: Int { bytes.count - offset }

    /// The next field, or nil when it runs past the end; moves past it either way.
    mutating func read<T: FixedWidthInteger>(_ type: T.Type) -> T? {
        defer { offset += MemoryLayout<T>.size }
        return bytes.littleEndian(type, at: offset)
    }

    mutating func skip(_ count: Int) { offset += count }
}
