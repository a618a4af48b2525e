/// The retained offsets of a store's sessions (one per open or remembered session, plus those
/// handed over by reopens until their release, see ``SessionRetainedReleases``): a
/// multiset of input offsets whose minimum is ``SessionStore/minimumRetainedOffset``.
///
/// A sparse bitmap: sorted 24-byte blocks, each holding 64 consecutive offsets as bits. A
/// partition's chains start at increasing offsets, so inserting is setting a bit in the last
/// block or appending one (O(1)), and the offsets of a million sessions opened one after the
/// other take 0.375 bytes each (a heap of entries took 16 bytes plus a 4-byte position each);
/// when chains are far apart it is at most one block per chain. Removing clears a bit found by
/// binary search (O(log n)); blocks that become empty are skipped at the front and compacted away
/// once they are half of the array, so the minimum is O(1). An offset that goes backwards (not
/// Kafka's) costs a binary search, or O(n) if it needs a new block between two others; an offset
/// inserted twice is counted in a side table.
///
/// Each block also keeps the smallest event time given with the offsets inserted into it since
/// it was last empty, so ``minimumTime`` — the retained *event time* the processor exports — is
/// O(1): a lower bound of the time given with ``minimum`` that may be older by what the other
/// records of its 64-offset block were (in a partition read in order, the same few seconds).
@usableFromInline
internal struct SessionRetainedOffsets: Sendable {
    /// 64 offsets, `index · 64 ..< index · 64 + 64`, one bit each, and the smallest time given
    /// with an offset inserted into it since it was last empty.
    struct Block: Sendable, Equatable {
        var index: Int64
        var bits: UInt64
        var minimumTime: Int64 = .max
    }

    /// Sorted by `index`. `blocks[..<head]` are empty; `blocks[head]` is not (unless there is none).
    private(set) var blocks: [Block] = []
    private var head = 0
    /// Empty blocks after `head`, not yet compacted away.
    private var emptyBlocks = 0
    /// How many more times than once an offset was inserted.
    private var repeats: [Int64: Int] = [:]
    /// Number of offsets held (with repeats).
    private(set) var count = 0

    init() {}

    /// The smallest offset held. O(1).
    var minimum: Int64? {
        guard head < blocks.count else { return nil }
        let block = blocks[head]
        return block.index &* 64 &+ Int64(block.bits.trailingZeroBitCount)
    }

    /// The smallest time given with the offsets of ``minimum``'s block (see the type's note), or
    /// `nil` when nothing is held. O(1).
    var minimumTime: Int64? {
        guard head < blocks.count else { return nil }
        return blocks[head].minimumTime
    }

    /// Bytes reserved (block capacity; the repeats table is not counted: it is empty with Kafka offsets).
    var byteCount: Int { blocks.capacity * MemoryLayout<Block>.stride }

    @inline(__always)
    private static func split(_ offset: Int64) -> (index: Int64, bit: UInt64) {
        (offset >> 6, 1 << UInt64(offset & 63))
    }

    /// Adds `offset`, with the event time of its record (`Int64.max`: unknown).
    mutating func insert(_ offset: Int64, time: Int64 = .max) {
        count += 1
        let (index, bit) = Self.split(offset)
        guard let last = blocks.last, last.index >= index else {
            appendGrowingByHalf(&blocks, Block(index: index, bits: bit, minimumTime: time))
            return
        }
        // At or before the last block: set a bit in an existing live block (O(log n)), reuse the
        // empty block just before `head` (O(1)), or insert a block in the middle (O(n); only when
        // offsets go backwards into a gap, which Kafka offsets never do).
        var low = head, high = blocks.count
        if last.index == index {
            low = blocks.count - 1
        } else {
            while low < high {
                let middle = (low + high) / 2
                if blocks[middle].index < index { low = middle + 1 } else { high = middle }
            }
        }
        if blocks[low].index == index {
            // `low > head` if the block is empty (`blocks[head]` never is): it stops being counted.
            if blocks[low].bits == 0 {
                emptyBlocks -= 1
                blocks[low].minimumTime = time
            }
            if time < blocks[low].minimumTime { blocks[low].minimumTime = time }
            setBit(bit, at: low, offset: offset)
        } else if low == head, head > 0 {
            head -= 1
            blocks[head] = Block(index: index, bits: bit, minimumTime: time)
        } else {
            blocks.insert(Block(index: index, bits: bit, minimumTime: time), at: low)
        }
    }

    /// Removes one copy of `offset`, which must be held.
    mutating func remove(_ offset: Int64) {
        if !repeats.isEmpty, let extra = repeats[offset] {
            repeats[offset] = extra > 1 ? extra - 1 : nil
            count -= 1
            return
        }
        let (index, bit) = Self.split(offset)
        guard let position = position(of: index), blocks[position].bits & bit != 0 else {
            assertionFailure("SessionRetainedOffsets: removing an offset that is not held")
            return
        }
        count -= 1
        blocks[position].bits &= ~bit
        guard blocks[position].bits == 0 else { return }
        if position == head {
            head += 1
            while head < blocks.count, blocks[head].bits == 0 {
                head += 1
                emptyBlocks -= 1
            }
        } else {
            emptyBlocks += 1
        }
        if head == blocks.count {
            blocks.removeAll(keepingCapacity: true)
            head = 0
            emptyBlocks = 0
        } else if head + emptyBlocks >= 64, (head + emptyBlocks) * 2 > blocks.count {
            compact()
        }
    }

    mutating func removeAll() {
        self = SessionRetainedOffsets()
    }

    // MARK: Internals

    private mutating func setBit(_ bit: UInt64, at position: Int, offset: Int64) {
        if blocks[position].bits & bit != 0 {
            repeats[offset, default: 0] += 1
            return
        }
        blocks[position].bits |= bit
    }

    /// The position of the live block `index`, if there is one.
    private func position(of index: Int64) -> Int? {
        if let last = blocks.last, last.index == index { return blocks.count - 1 }
        var low = head, high = blocks.count
        while low < high {
            let middle = (low + high) / 2
            let found = blocks[middle].index
            if found == index { return middle }
            if found < index { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Removes the empty blocks (keeping the capacity).
    private mutating func compact() {
        var kept = 0
        for position in head..<blocks.count where blocks[position].bits != 0 {
            blocks[kept] = blocks[position]
            kept += 1
        }
        blocks.removeSubrange(kept...)
        head = 0
        emptyBlocks = 0
    }
}
