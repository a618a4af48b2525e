import TestSupport
import Testing

@testable import CallbackStreamCore

/// The sparse-bitmap multiset behind ``SessionStore/minimumRetainedOffset``.
@Suite struct SessionRetainedOffsetsTests {
    /// Inserts and removes at random against a sorted-array model; `step` picks how offsets move.
    private func check(seed: UInt64, operations: Int, nextOffset: (inout SeededRandom, Int64) -> Int64) {
        var random = SeededRandom(seed: seed)
        var set = SessionRetainedOffsets()
        var model: [Int64] = []
        var last: Int64 = 0
        for step in 0..<operations {
            if model.isEmpty || random.next() % 100 < 55 {
                last = nextOffset(&random, last)
                set.insert(last)
                model.append(last)
            } else {
                // Mostly the oldest (chains are forgotten roughly in the order they started), else any.
                let index = random.next() % 3 == 0 ? Int(random.next() % UInt64(model.count)) : model.indices.min { model[$0] < model[$1] }!
                set.remove(model[index])
                model.remove(at: index)
            }
            #expect(set.minimum == model.min(), "seed \(seed) step \(step)")
            #expect(set.count == model.count)
            if set.minimum != model.min() { return }
        }
        while let offset = model.popLast() {
            set.remove(offset)
            #expect(set.minimum == model.min())
        }
        #expect(set.minimum == nil && set.count == 0 && set.blocks.isEmpty)
    }

    @Test(arguments: [1, 2, 3] as [UInt64]) func increasingOffsetsLikeKafka(seed: UInt64) {
        check(seed: seed, operations: 10_000) { random, last in last + 1 + Int64(random.next() % 200) }
    }

    @Test(arguments: [4, 5] as [UInt64]) func offsetsThatGoBackRepeatOrAreNegative(seed: UInt64) {
        check(seed: seed, operations: 5_000) { random, _ in Int64(random.next() % 3_000) - 1_000 }
    }

    @Test func anOffsetBeforeTheLiveBlocksReusesAnEmptyFrontBlock() {
        var set = SessionRetainedOffsets()
        for offset in 0..<Int64(640) { set.insert(offset) }  // blocks 0 … 9
        for offset in 0..<Int64(320) { set.remove(offset) }  // blocks 0 … 4 empty, skipped
        #expect(set.minimum == 320 && set.blocks.count == 10)
        set.insert(100)  // block 1 goes where the empty block 4 was
        set.insert(10)  // block 0 where block 3 was
        #expect(set.blocks.count == 10)
        #expect(set.minimum == 10)
        set.remove(10)
        #expect(set.minimum == 100)
        set.insert(5_000)  // after the end
        set.insert(3_000)  // a new block between two live ones
        set.remove(100)
        #expect(set.minimum == 320)
        for offset in 320..<Int64(640) { set.remove(offset) }
        #expect(set.minimum == 3_000)
        set.remove(3_000)
        set.remove(5_000)
        #expect(set.minimum == nil && set.count == 0 && set.blocks.isEmpty)
    }

    @Test func extremeOffsets() {
        var set = SessionRetainedOffsets()
        for offset in [Int64.max, Int64.min, 0, -1, 63, 64, Int64.max - 63] { set.insert(offset) }
        #expect(set.minimum == Int64.min)
        set.remove(Int64.min)
        #expect(set.minimum == -1)
        set.remove(-1)
        set.remove(0)
        #expect(set.minimum == 63)
        set.remove(63)
        set.remove(64)
        #expect(set.minimum == Int64.max - 63)
        set.remove(Int64.max - 63)
        #expect(set.minimum == Int64.max)
        set.remove(Int64.max)
        #expect(set.minimum == nil)
    }

    @Test func consecutiveOffsetsTakeABitEach() {
        var set = SessionRetainedOffsets()
        for offset in 0..<Int64(1_000_000) { set.insert(offset) }
        #expect(set.blocks.count == 15_625)  // 1,000,000 / 64
        // Grown by half, not doubled (≈ 560 KB of 24-byte blocks); malloc may round a large block up by a page.
        let stride = MemoryLayout<SessionRetainedOffsets.Block>.stride
        #expect(stride == 24)
        #expect(set.byteCount <= stride * 15_625 * 3 / 2 + stride * 16 + 4_096)
        // Forgetting the oldest leaves the front blocks empty; once they are more than half of
        // the array (at the 7,813th) they are compacted away.
        for offset in 0..<Int64(600_000) { set.remove(offset) }
        #expect(set.minimum == 600_000)
        #expect(set.blocks.count == 15_625 - 7_813)
        for offset in 600_000..<Int64(1_000_000) where offset % 2 == 0 { set.remove(offset) }
        #expect(set.minimum == 600_001 && set.count == 200_000)
    }

    @Test func emptiedBlocksInTheMiddleAreCompacted() {
        var set = SessionRetainedOffsets()
        for offset in 0..<Int64(64 * 1_000) { set.insert(offset) }
        // Empty every other block except the first: they cannot be skipped from the front.
        for block in stride(from: 1, to: 1_000, by: 2) {
            for offset in Int64(block * 64)..<Int64(block * 64 + 64) { set.remove(offset) }
        }
        #expect(set.minimum == 0)
        #expect(set.blocks.count == 1_000)  // 500 empty blocks: not more than half, kept
        for block in stride(from: 2, to: 1_000, by: 4) {
            for offset in Int64(block * 64)..<Int64(block * 64 + 64) { set.remove(offset) }
        }
        // The 501st empty block triggered a compaction (to 499 blocks); 249 more were emptied since.
        #expect(set.blocks.count == 499)
        #expect(set.blocks.filter { $0.bits == 0 }.count == 249)
        #expect(set.minimum == 0 && set.count == 250 * 64)
    }
}
