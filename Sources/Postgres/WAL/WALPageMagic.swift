/// `xlp_magic`, the WAL format version: PostgreSQL changes it with every major
/// release whose WAL differs. It decides the few layout details that moved
/// between releases.
struct WALPageMagic: Sendable, Hashable {
    let rawValue: UInt16

    init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// The magic of PostgreSQL 10, the oldest release read.
    static let postgres10: UInt16 = 0xD097
    /// PostgreSQL 15 renumbered the `bimg_info` bits to add LZ4 and zstd.
    static let postgres15: UInt16 = 0xD110
    /// PostgreSQL 18 widened `xl_xact_stats_item` to a 64-bit object id.
    static let postgres18: UInt16 = 0xD118

    /// Whether this is WAL of PostgreSQL 10 or later: 0xD097 and up, in the
    /// range PostgreSQL has been counting through (0xD0xx, 0xD1xx). Unknown
    /// later magics are accepted and read with the newest layout.
    var isSupported: Bool { (Self.postgres10...0xD1FF).contains(rawValue) }

    /// The `bimg_info` bits that mean "this page image is compressed".
    var compressedImageBits: UInt8 {
        // 14 and older: BKPIMAGE_IS_COMPRESSED. 15 and later: PGLZ | LZ4 | ZSTD.
        rawValue >= Self.postgres15 ? 0x04 | 0x08 | 0x10 : 0x02
    }

    /// The `bimg_info` bit that means "restore this image at replay".
    var applyImageBit: UInt8 { rawValue >= Self.postgres15 ? 0x02 : 0x04 }

    /// `sizeof(xl_xact_stats_item)` in commit and abort records (PostgreSQL 15+).
    var droppedStatsItemSize: Int { rawValue >= Self.postgres18 ? 16 : 12 }
}
