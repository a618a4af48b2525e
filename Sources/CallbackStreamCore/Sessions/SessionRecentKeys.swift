/// A small direct-mapped cache from key hash to slot, in front of the big hash table.
///
/// An interaction's events arrive close together, so most lookups are for a recently used key.
/// With a million sessions the main table is tens of megabytes and every probe misses the CPU
/// caches; this cache (16 K entries, 128 KiB) stays cache-resident. Entries are hints: a hit is
/// confirmed against the slot (live, same hash, same key bytes), so stale entries only cost a miss.
@usableFromInline
internal struct SessionRecentKeys: Sendable {
    static let capacity = 16_384
    private var entries: [UInt64] = []

    @inline(__always)
    private static func position(_ hash: UInt32) -> Int {
        Int((hash &* 0x9E37_79B1) >> 18)  // top 14 bits of a multiplicative mix: 0 ..< 16 384
    }

    /// The cached slot for `key`, if the hint is present and still right.
    @inline(__always)
    func find(hash: UInt32, key: UnsafeRawBufferPointer, slots: [SessionSlot], arena: SessionKeyArena) -> Int32? {
        guard !entries.isEmpty else { return nil }
        let entry = entries[Self.position(hash)]
        guard UInt32(truncatingIfNeeded: entry >> 32) == hash, entry != 0 else { return nil }
        let slot = Int32(bitPattern: UInt32(truncatingIfNeeded: entry) &- 1)
        guard slot >= 0, Int(slot) < slots.count else { return nil }
        let stored = slots[Int(slot)]
        guard stored.status != .free, stored.hash == hash,
              arena.equals(offset: stored.keyOffset, length: stored.keyLength, key) else { return nil }
        return slot
    }

    @inline(__always)
    mutating func remember(hash: UInt32, slot: Int32) {
        if entries.isEmpty { entries = Array(repeating: 0, count: Self.capacity) }
        entries[Self.position(hash)] = SessionKeyTable.pack(hash: hash, slot: slot)
    }

    var byteCount: Int { entries.capacity * MemoryLayout<UInt64>.stride }
}
