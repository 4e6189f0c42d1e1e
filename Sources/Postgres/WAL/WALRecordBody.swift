/// What follows a record's 24-byte header: block headers, then the short or
/// long main data header, then the block payloads (images and per-block data),
/// then the main data (`DecodeXLogRecord` in xlogreader.c).
struct WALRecordBody {
    static let headerSize = 24
    /// `XLR_MAX_BLOCK_ID`.
    static let maxBlockID: UInt8 = 32
    static let mainDataShort: UInt8 = 255
    static let mainDataLong: UInt8 = 254
    static let origin: UInt8 = 253
    static let toplevelXID: UInt8 = 252

    var blocks: [WALBlockReference] = []
    /// Where the main data lies within the record: always its last bytes.
    var mainData: Range<Int>

    /// Decodes the headers of `record` (all `xl_tot_len` bytes); nil when they
    /// do not add up the way PostgreSQL's own decoder requires.
    init?(record: UnsafeRawBufferPointer, magic: WALPageMagic, pageSize: Int) {
        var cursor = LittleEndianCursor(record, offset: Self.headerSize)
        var payload = 0
        var mainDataLength = 0
        var lastBlockID = -1
        var lastRelation: WALRelation?
        while cursor.remaining > payload {
            guard let id = cursor.read(UInt8.self) else { return nil }
            switch id {
            case Self.mainDataShort, Self.mainDataLong:
                let length = id == Self.mainDataShort ? cursor.read(UInt8.self).map(Int.init) : cursor.read(UInt32.self).map(Int.init)
                guard let length else { return nil }
                mainDataLength = length
                payload += length
            case Self.origin:
                guard cursor.read(UInt16.self) != nil else { return nil }
            case Self.toplevelXID:
                guard cursor.read(UInt32.self) != nil else { return nil }
            case 0...Self.maxBlockID:
                guard Int(id) > lastBlockID,
                      let block = Self.block(id: id, &cursor, previous: lastRelation, magic: magic, pageSize: pageSize)
                else { return nil }
                lastBlockID = Int(id)
                lastRelation = block.relation
                payload += block.dataLength + (block.image?.length ?? 0)
                blocks.append(block)
            default:
                return nil
            }
            // By convention the main data header is the last one.
            if id == Self.mainDataShort || id == Self.mainDataLong { break }
        }
        guard cursor.remaining == payload else { return nil }
        mainData = (record.count - mainDataLength)..<record.count
    }

    /// One `XLogRecordBlockHeader` after its id: fork and flags, data length,
    /// the image header, the relation (unless `BKPBLOCK_SAME_REL`) and the block number.
    private static func block(
        id: UInt8, _ cursor: inout LittleEndianCursor, previous: WALRelation?, magic: WALPageMagic, pageSize: Int
    ) -> WALBlockReference? {
        guard let forkFlags = cursor.read(UInt8.self), let dataLength = cursor.read(UInt16.self) else { return nil }
        let hasImage = forkFlags & 0x10 != 0, hasData = forkFlags & 0x20 != 0
        guard hasData == (dataLength > 0) else { return nil }
        var image: WALBlockImage?
        if hasImage {
            guard let length = cursor.read(UInt16.self), let holeOffset = cursor.read(UInt16.self),
                  let info = cursor.read(UInt8.self) else { return nil }
            let hasHole = info & 0x01 != 0
            let compressed = info & magic.compressedImageBits != 0
            var holeLength = pageSize - Int(length)
            if compressed {
                // Only a compressed image with a hole says how long the hole is.
                guard let length = hasHole ? cursor.read(UInt16.self) : 0 else { return nil }
                holeLength = Int(length)
            }
            image = WALBlockImage(
                length: Int(length), holeOffset: Int(holeOffset), holeLength: holeLength,
                isCompressed: compressed, isApplied: info & magic.applyImageBit != 0
            )
        }
        let relation: WALRelation
        if forkFlags & 0x80 != 0 {
            guard let previous else { return nil }
            relation = previous
        } else {
            guard let tablespace = cursor.read(UInt32.self), let database = cursor.read(UInt32.self),
                  let number = cursor.read(UInt32.self) else { return nil }
            relation = WALRelation(tablespace: tablespace, database: database, relation: number)
        }
        guard let blockNumber = cursor.read(UInt32.self) else { return nil }
        return WALBlockReference(
            id: id, fork: forkFlags & 0x0F, relation: relation, blockNumber: blockNumber,
            dataLength: Int(dataLength), willInitialize: forkFlags & 0x40 != 0, image: image
        )
    }
}
