/// A relation's on-disk identity (`RelFileNode`, `RelFileLocator` from 16):
/// tablespace, database and relation file number, as pg_waldump prints them.
public struct WALRelation: Sendable, Hashable, CustomStringConvertible {
    public var tablespace: UInt32
    public var database: UInt32
    public var relation: UInt32

    public init(tablespace: UInt32, database: UInt32, relation: UInt32) {
        self.tablespace = tablespace
        self.database = database
        self.relation = relation
    }

    /// `1663/5/16384`.
    public var description: String { "\(tablespace)/\(database)/\(relation)" }
}

/// A data page a WAL record touches (`XLogRecordBlockHeader` and what follows it).
public struct WALBlockReference: Sendable, Equatable {
    /// The block id within the record, 0...32.
    public var id: UInt8
    /// The relation fork: 0 main, 1 free space map, 2 visibility map, 3 init.
    public var fork: UInt8
    public var relation: WALRelation
    public var blockNumber: UInt32
    /// Bytes of per-block data the record carries for this block (not the image).
    public var dataLength: Int
    /// `BKPBLOCK_WILL_INIT`: replay initialises the page from scratch.
    public var willInitialize: Bool
    /// The full-page image, when the record carries one.
    public var image: WALBlockImage?
}

/// A full-page image in a WAL record (`XLogRecordBlockImageHeader`).
public struct WALBlockImage: Sendable, Equatable {
    /// Bytes the image takes in the record (`bimg_len`), after removing the hole
    /// and compressing.
    public var length: Int
    /// Where the unused "hole" in the middle of the page starts.
    public var holeOffset: Int
    /// How long the hole is. For an uncompressed image it is derived as
    /// page size minus `length`, taking the data page size to be the WAL page
    /// size (`BLCKSZ == XLOG_BLCKSZ`, both 8 KiB unless PostgreSQL was built otherwise).
    public var holeLength: Int
    public var isCompressed: Bool
    /// `BKPIMAGE_APPLY`: replay restores the image (false for images kept only
    /// for `wal_consistency_checking`).
    public var isApplied: Bool
}
