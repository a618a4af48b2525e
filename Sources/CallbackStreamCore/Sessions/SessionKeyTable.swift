/// Open-addressing hash table (linear probing, backward-shift deletion) from key bytes to slot.
///
/// A bucket is a `UInt64`: the key's 32-bit hash in the high half, slot + 1 in the low half,
/// 0 when empty — 8 bytes per bucket, load factor at most 3/4. Lookups compare the stored hash
/// first and only then the key bytes, and never allocate.
@usableFromInline
internal struct SessionKeyTable: Sendable {
    var buckets: [UInt64]
    var count = 0
    var mask: Int

    init() {
        buckets = Array(repeating: 0, count: 16)
        mask = 15
    }

    @inline(__always)
    static func pack(hash: UInt32, slot: Int32) -> UInt64 {
        UInt64(hash) << 32 | UInt64(UInt32(bitPattern: slot) &+ 1)
    }

    /// The slot holding `key`, if any.
    func find(hash: UInt32, key: UnsafeRawBufferPointer, slots: [SessionSlot], arena: SessionKeyArena) -> Int32? {
        var bucket = Int(hash) & mask
        while true {
            let entry = buckets[bucket]
            if entry == 0 { return nil }
            if UInt32(truncatingIfNeeded: entry >> 32) == hash {
                let slot = Int32(bitPattern: UInt32(truncatingIfNeeded: entry) &- 1)
                let stored = slots[Int(slot)]
                if arena.equals(offset: stored.keyOffset, length: stored.keyLength, key) { return slot }
            }
            bucket = (bucket &+ 1) & mask
        }
    }

    /// Adds `slot` (whose key is known to be absent).
    mutating func insert(hash: UInt32, slot: Int32) {
        if (count + 1) * 4 > buckets.count * 3 { grow() }
        place(Self.pack(hash: hash, slot: slot))
        count += 1
    }

    /// Removes `slot`, which must be present with `hash`.
    mutating func remove(hash: UInt32, slot: Int32) {
        let target = Self.pack(hash: hash, slot: slot)
        var hole = Int(hash) & mask
        while buckets[hole] != target {
            precondition(buckets[hole] != 0, "SessionKeyTable: removing an absent slot")
            hole = (hole &+ 1) & mask
        }
        // Backward-shift: move later entries of the cluster into the hole when that keeps them
        // reachable from their home bucket.
        var next = (hole &+ 1) & mask
        while buckets[next] != 0 {
            let home = Int(UInt32(truncatingIfNeeded: buckets[next] >> 32)) & mask
            if (next &- home) & mask >= (next &- hole) & mask {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next &+ 1) & mask
        }
        buckets[hole] = 0
        count -= 1
    }

    private mutating func place(_ entry: UInt64) {
        var bucket = Int(UInt32(truncatingIfNeeded: entry >> 32)) & mask
        while buckets[bucket] != 0 { bucket = (bucket &+ 1) & mask }
        buckets[bucket] = entry
    }

    private mutating func grow() {
        let old = buckets
        buckets = Array(repeating: 0, count: old.count * 2)
        mask = buckets.count - 1
        for entry in old where entry != 0 { place(entry) }
    }
}
