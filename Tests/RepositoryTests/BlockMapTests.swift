import Pipeline
import Testing

/// A part's blocks as a bit map: what goes in comes out, in order, and the
/// stored form (first block and bits) reads back as the same map.
@Suite struct BlockMapTests {
    @Test(arguments: [[], [0], [7], [8], [5, 6, 7, 8, 9, 63, 64, 1_000], Array(stride(from: 3, to: 5_000, by: 3))])
    func blocksComeBackInOrder(_ blocks: [Int]) {
        var map = BlockMap()
        for block in blocks { map.append(block) }
        #expect(Array(map) == blocks)
        #expect(map.count == blocks.count)
        #expect(map.lastBlock == blocks.last)
        #expect(blocks.allSatisfy(map.contains))
        #expect(!map.contains(-1) && !map.contains((blocks.last ?? 0) + 1))
        #expect(!blocks.contains(4) || map.contains(4))
        let stored = BlockMap(firstBlock: map.firstBlock, bits: map.bits)
        #expect(stored == map)
        #expect(map.bits.count == ((blocks.last ?? 0) - (blocks.first ?? 0)) / 8 + (blocks.isEmpty ? 0 : 1), "a bit a block, first to last")
    }
}
