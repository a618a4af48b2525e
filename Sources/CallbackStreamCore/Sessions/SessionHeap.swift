/// An entry of a ``SessionHeap``: an ordering key (deadline or offset) and the slot it belongs to.
@usableFromInline
internal struct SessionHeapEntry: Sendable {
    var key: Int64
    var slot: Int32
}

/// An indexed binary min-heap of slots (insert, remove, re-key: O(log n); minimum: O(1)).
///
/// Each slot records its position in the heap (`timerPosition` or `offsetPosition`), so any
/// entry can be removed or re-keyed without a search.
@usableFromInline
internal struct SessionHeap: Sendable {
    /// What orders the heap and which slot field holds the position.
    enum Order {
        /// By key, then by the slots' key bytes (a total, history-independent order); position in
        /// `timerPosition`.
        case deadlineThenKeyBytes
        /// By key, then slot; position in `offsetPosition`.
        case offsetThenSlot
    }

    let order: Order
    var entries: [SessionHeapEntry] = []

    init(order: Order) {
        self.order = order
    }

    var first: SessionHeapEntry? { entries.first }
    var count: Int { entries.count }

    @inline(__always)
    private func precedes(_ a: SessionHeapEntry, _ b: SessionHeapEntry, _ slots: [SessionSlot], _ arena: SessionKeyArena) -> Bool {
        if a.key != b.key { return a.key < b.key }
        switch order {
        case .offsetThenSlot:
            return a.slot < b.slot
        case .deadlineThenKeyBytes:
            let x = slots[Int(a.slot)], y = slots[Int(b.slot)]
            let byBytes = arena.compare(x.keyOffset, x.keyLength, y.keyOffset, y.keyLength)
            return byBytes != 0 ? byBytes < 0 : a.slot < b.slot
        }
    }

    @inline(__always)
    private func record(_ position: Int, of slot: Int32, in slots: inout [SessionSlot]) {
        switch order {
        case .deadlineThenKeyBytes: slots[Int(slot)].timerPosition = Int32(truncatingIfNeeded: position)
        case .offsetThenSlot: slots[Int(slot)].offsetPosition = Int32(truncatingIfNeeded: position)
        }
    }

    mutating func insert(_ entry: SessionHeapEntry, slots: inout [SessionSlot], arena: SessionKeyArena) {
        entries.append(entry)
        siftUp(from: entries.count - 1, slots: &slots, arena: arena)
    }

    /// Removes the entry at `position` and clears its slot's position.
    mutating func remove(at position: Int, slots: inout [SessionSlot], arena: SessionKeyArena) {
        let removed = entries[position]
        record(-1, of: removed.slot, in: &slots)
        let last = entries.removeLast()
        guard position < entries.count else { return }
        entries[position] = last
        record(position, of: last.slot, in: &slots)
        rekey(at: position, to: last.key, slots: &slots, arena: arena)
    }

    /// Sets the key of the entry at `position` and restores the heap order.
    mutating func rekey(at position: Int, to key: Int64, slots: inout [SessionSlot], arena: SessionKeyArena) {
        entries[position].key = key
        if position > 0, precedes(entries[position], entries[(position - 1) / 2], slots, arena) {
            siftUp(from: position, slots: &slots, arena: arena)
        } else {
            siftDown(from: position, slots: &slots, arena: arena)
        }
    }

    private mutating func siftUp(from start: Int, slots: inout [SessionSlot], arena: SessionKeyArena) {
        let moving = entries[start]
        var position = start
        while position > 0 {
            let parent = (position - 1) / 2
            guard precedes(moving, entries[parent], slots, arena) else { break }
            entries[position] = entries[parent]
            record(position, of: entries[position].slot, in: &slots)
            position = parent
        }
        entries[position] = moving
        record(position, of: moving.slot, in: &slots)
    }

    private mutating func siftDown(from start: Int, slots: inout [SessionSlot], arena: SessionKeyArena) {
        let moving = entries[start]
        let count = entries.count
        var position = start
        while true {
            let left = 2 * position + 1
            guard left < count else { break }
            var child = left
            let right = left + 1
            if right < count, precedes(entries[right], entries[left], slots, arena) { child = right }
            guard precedes(entries[child], moving, slots, arena) else { break }
            entries[position] = entries[child]
            record(position, of: entries[position].slot, in: &slots)
            position = child
        }
        entries[position] = moving
        record(position, of: moving.slot, in: &slots)
    }
}
