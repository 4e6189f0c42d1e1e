/// The blocks of a data stream one part holds, as a bit map: block
/// `firstBlock + i` is in the part when bit `i` of `bits` is set (byte
/// `i / 8`, bit `i % 8`, least significant first) — one bit a block from the
/// part's first block to its last, however large the stream. Blocks are
/// added, and iterated, in rising order.
public struct BlockMap: Sequence, Sendable, Equatable {
    public private(set) var firstBlock: Int
    public private(set) var bits: [UInt8]
    /// How many blocks are in the map.
    public private(set) var count: Int
    /// The last block, or nil for an empty map.
    public private(set) var lastBlock: Int?

    public init() {
        firstBlock = 0
        bits = []
        count = 0
    }

    /// A map as stored: its first block and its bits.
    public init(firstBlock: Int, bits: [UInt8]) {
        self.firstBlock = firstBlock
        self.bits = bits
        count = bits.reduce(0) { $0 + $1.nonzeroBitCount }
        if let index = bits.lastIndex(where: { $0 != 0 }) {
            lastBlock = firstBlock + index * 8 + (7 - bits[index].leadingZeroBitCount)
        }
    }

    /// Adds `block`, which must come after every block already in the map.
    public mutating func append(_ block: Int) {
        if count == 0 {
            firstBlock = block
            bits = []
        }
        precondition(block >= firstBlock && (lastBlock.map { block > $0 } ?? true), "blocks are added in rising order")
        let bit = block - firstBlock
        while bits.count <= bit / 8 { bits.append(0) }
        bits[bit / 8] |= 1 << (bit % 8)
        count += 1
        lastBlock = block
    }

    public func contains(_ block: Int) -> Bool {
        let bit = block - firstBlock
        guard bit >= 0, bit / 8 < bits.count else { return false }
        return bits[bit / 8] & (1 << (bit % 8)) != 0
    }

    public func makeIterator() -> Iterator { Iterator(map: self) }

    /// The blocks in rising order.
    public struct Iterator: IteratorProtocol {
        let map: BlockMap
        var byte = 0
        var pending: UInt8 = 0

        init(map: BlockMap) {
            self.map = map
            pending = map.bits.first ?? 0
        }

        public mutating func next() -> Int? {
            while pending == 0 {
                byte += 1
                guard byte < map.bits.count else { return nil }
                pending = map.bits[byte]
            }
            let bit = pending.trailingZeroBitCount
            pending &= pending - 1
            return map.firstBlock + byte * 8 + bit
        }
    }
}
