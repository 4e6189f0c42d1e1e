/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum in
/// every WAL record's `xl_crc`. Slicing-by-8: eight bytes per step.
struct CRC32C {
    private var state: UInt32 = 0xFFFF_FFFF

    /// The checksum of everything fed so far.
    var value: UInt32 { ~state }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = state
        var offset = 0
        Self.table.withUnsafeBufferPointer { table in
            func entry(_ slice: Int, _ byte: UInt32) -> UInt32 { table[slice << 8 | Int(byte & 0xFF)] }
            while offset + 8 <= bytes.count {
                let low = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) ^ crc
                let high = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                crc = entry(7, low) ^ entry(6, low >> 8) ^ entry(5, low >> 16) ^ entry(4, low >> 24)
                    ^ entry(3, high) ^ entry(2, high >> 8) ^ entry(1, high >> 16) ^ entry(0, high >> 24)
                offset += 8
            }
            while offset < bytes.count {
                crc = entry(0, crc ^ UInt32(bytes[offset])) ^ (crc >> 8)
                offset += 1
            }
        }
        state = crc
    }

    /// Eight 256-entry tables, one after the other: entry `n` of table `k` is
    /// the CRC of byte `n` followed by `k` zero bytes.
    private static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            table[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = table[(slice - 1) << 8 | byte]
                table[slice << 8 | byte] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        return table
    }()
}
