/// A small direct-mapped cache from key hash to slot, in front of the big hash table.
///
/// An interaction's events arrive close together, so most lookups are for a recently used key.
/// With a million sessions the main table is tens of megabytes and every probe misses the CPU
/// caches; this cache (at most 16 K entries, 128 KiB) stays cache-resident. It is sized to an
/// eighth of the main table's buckets, so a store with few sessions (one of many partitions) does
/// not pay 128 KiB for a cache as large as its table. Entries are hints: a hit is confirmed
/// against the slot (live, same key bytes), so stale entries only cost a miss, and resizing
/// simply drops them.
@usableFromInline
internal struct SessionRecentKeys: Sendable {
    static let maximumCapacity = 16_384
    static let minimumCapacity = 64
    private var entries: [UInt64] = []
    /// 32 − log2(capacity): the hash bits dropped to pick an entry.
    private var shift: UInt32 = 32

    /// The capacity for a main table of `tableSize` buckets (a power of two).
    static func capacity(forTableSize tableSize: Int) -> Int {
        min(maximumCapacity, max(minimumCapacity, tableSize / 8))
    }

    @inline(__always)
    private func position(_ hash: UInt32) -> Int {
        Int((hash &* 0x9E37_79B1) >> shift)  // top bits of a multiplicative mix
    }

    /// The cached slot for `key`, if the hint is present and still right.
    @inline(__always)
    func find(hash: UInt32, key: UnsafeRawBufferPointer, slots: [SessionSlot], arena: SessionKeyArena) -> Int32? {
        guard !entries.isEmpty else { return nil }
        let entry = entries[position(hash)]
        guard UInt32(truncatingIfNeeded: entry >> 32) == hash, entry != 0 else { return nil }
        let slot = Int32(bitPattern: UInt32(truncatingIfNeeded: entry) &- 1)
        guard slot >= 0, Int(slot) < slots.count else { return nil }
        let stored = slots[Int(slot)]
        guard stored.status != .free, arena.equals(offset: stored.keyOffset, length: stored.keyLength, key) else { return nil }
        return slot
    }

    /// Remembers `slot` for `hash`; `tableSize` is the main table's bucket count (the cache is
    /// resized, and emptied, when it changes the cache's capacity).
    @inline(__always)
    mutating func remember(hash: UInt32, slot: Int32, tableSize: Int) {
        if entries.count != Self.capacity(forTableSize: tableSize) { resize(Self.capacity(forTableSize: tableSize)) }
        entries[position(hash)] = SessionKeyTable.pack(hash: hash, slot: slot)
    }

    private mutating func resize(_ capacity: Int) {
        entries = Array(repeating: 0, count: capacity)
        shift = UInt32(32 - capacity.trailingZeroBitCount)
    }

    var byteCount: Int { entries.capacity * MemoryLayout<UInt64>.stride }
}
