/// An entry of a ``SessionHeap``: a deadline and the slot it belongs to.
///
/// 12 bytes: the 64-bit key is kept as two halves so that the entry needs only 4-byte alignment
/// (an `Int64` field would pad it to 16).
@usableFromInline
internal struct SessionHeapEntry: Sendable {
    private var keyLow: UInt32
    private var keyHigh: UInt32
    var slot: Int32

    init(key: Int64, slot: Int32) {
        keyLow = UInt32(truncatingIfNeeded: key)
        keyHigh = UInt32(truncatingIfNeeded: key >> 32)
        self.slot = slot
    }

    var key: Int64 {
        @inline(__always) get { Int64(bitPattern: UInt64(keyHigh) << 32 | UInt64(keyLow)) }
        @inline(__always) set {
            keyLow = UInt32(truncatingIfNeeded: newValue)
            keyHigh = UInt32(truncatingIfNeeded: newValue >> 32)
        }
    }
}

/// An indexed 4-ary min-heap of slots by deadline, then by the slots' key bytes (a total,
/// history-independent order). Insert, remove, re-key: O(log n); minimum: O(1).
///
/// A positions array indexed by slot (shared by heaps a slot can only be in one of) records each
/// entry's place, so any entry can be removed or re-keyed without a search. The positions are
/// kept apart from the 32-byte slots so the writes of a sift touch a dense 4-byte array. Four
/// children per node halve the depth of a binary heap (10 levels for a million entries).
@usableFromInline
internal struct SessionHeap: Sendable {
    var entries: [SessionHeapEntry] = []

    init() {}

    var first: SessionHeapEntry? { entries.first }
    var count: Int { entries.count }

    /// Whether `a` comes before `b` in the heaps' order.
    @inline(__always)
    static func precedes(_ a: SessionHeapEntry, _ b: SessionHeapEntry, _ slots: [SessionSlot], _ arena: SessionKeyArena) -> Bool {
        let aKey = a.key, bKey = b.key
        if aKey != bKey { return aKey < bKey }
        let x = slots[Int(a.slot)], y = slots[Int(b.slot)]
        let byBytes = arena.compare(x.keyOffset, x.keyLength, y.keyOffset, y.keyLength)
        return byBytes != 0 ? byBytes < 0 : a.slot < b.slot
    }

    @inline(__always)
    private func record(_ position: Int, of slot: Int32, in positions: inout [Int32]) {
        positions[Int(slot)] = Int32(truncatingIfNeeded: position)
    }

    mutating func insert(_ entry: SessionHeapEntry, positions: inout [Int32], slots: [SessionSlot], arena: SessionKeyArena) {
        appendGrowingByHalf(&entries, entry)
        siftUp(from: entries.count - 1, positions: &positions, slots: slots, arena: arena)
    }

    /// Removes the entry at `position` and clears its slot's position.
    mutating func remove(at position: Int, positions: inout [Int32], slots: [SessionSlot], arena: SessionKeyArena) {
        record(-1, of: entries[position].slot, in: &positions)
        let last = entries.removeLast()
        guard position < entries.count else { return }
        // The last entry fills the hole (its key unchanged) and moves up or down from there; the
        // sift records its position.
        entries[position] = last
        if position > 0, Self.precedes(last, entries[(position - 1) >> 2], slots, arena) {
            siftUp(from: position, positions: &positions, slots: slots, arena: arena)
        } else {
            siftDown(from: position, positions: &positions, slots: slots, arena: arena)
        }
    }

    /// Sets the key of the entry at `position` and restores the heap order.
    mutating func rekey(at position: Int, to key: Int64, positions: inout [Int32], slots: [SessionSlot], arena: SessionKeyArena) {
        entries[position].key = key
        if position > 0, Self.precedes(entries[position], entries[(position - 1) >> 2], slots, arena) {
            siftUp(from: position, positions: &positions, slots: slots, arena: arena)
        } else {
            siftDown(from: position, positions: &positions, slots: slots, arena: arena)
        }
    }

    // The sifts work through buffer pointers: one uniqueness check per array per sift instead of
    // one per element written, and no bounds checks (positions are heap indices, slots index
    // `positions`, which has an element per slot).

    private mutating func siftUp(from start: Int, positions: inout [Int32], slots: [SessionSlot], arena: SessionKeyArena) {
        entries.withUnsafeMutableBufferPointer { entries in
            positions.withUnsafeMutableBufferPointer { positions in
                let moving = entries[start]
                var position = start
                while position > 0 {
                    let parent = (position - 1) >> 2
                    let above = entries[parent]
                    guard Self.precedes(moving, above, slots, arena) else { break }
                    entries[position] = above
                    positions[Int(above.slot)] = Int32(truncatingIfNeeded: position)
                    position = parent
                }
                entries[position] = moving
                positions[Int(moving.slot)] = Int32(truncatingIfNeeded: position)
            }
        }
    }

    private mutating func siftDown(from start: Int, positions: inout [Int32], slots: [SessionSlot], arena: SessionKeyArena) {
        entries.withUnsafeMutableBufferPointer { entries in
            positions.withUnsafeMutableBufferPointer { positions in
                let moving = entries[start]
                let count = entries.count
                var position = start
                while true {
                    let first = 4 * position + 1
                    guard first < count else { break }
                    var child = first
                    var best = entries[first]
                    var candidate = first + 1
                    let end = min(first + 4, count)
                    while candidate < end {
                        let entry = entries[candidate]
                        if Self.precedes(entry, best, slots, arena) {
                            child = candidate
                            best = entry
                        }
                        candidate += 1
                    }
                    guard Self.precedes(best, moving, slots, arena) else { break }
                    entries[position] = best
                    positions[Int(best.slot)] = Int32(truncatingIfNeeded: position)
                    position = child
                }
                entries[position] = moving
                positions[Int(moving.slot)] = Int32(truncatingIfNeeded: position)
            }
        }
    }
}
