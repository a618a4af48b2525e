/// The memory a ``SessionStore`` has reserved, in bytes, computed from its buffers' capacities.
///
/// Counts what the store allocated (capacity × stride), not malloc's own overhead.
public struct SessionStoreFootprint: Sendable, Hashable {
    /// Per-session slots (key location, times, sequence) and their timer-heap positions.
    public var slots: Int
    /// The open-addressing hash table from key bytes to slot, and the recent-key cache in front of it.
    public var hashTable: Int
    /// Key bytes, including not yet compacted garbage.
    public var keyBytes: Int
    /// The deadline heaps (open sessions' timeouts and remembered sessions' expiry).
    public var timers: Int
    /// The retained-offset bitmap behind `minimumRetainedOffset`.
    public var offsets: Int
    /// The caller's states (`MemoryLayout<State?>.stride` each) and their free list.
    public var states: Int
    /// Pending closes not yet drained.
    public var pendingCloses: Int

    /// A zero footprint (for summing several stores').
    public init() {
        self.init(slots: 0, hashTable: 0, keyBytes: 0, timers: 0, offsets: 0, states: 0, pendingCloses: 0)
    }

    init(slots: Int, hashTable: Int, keyBytes: Int, timers: Int, offsets: Int, states: Int, pendingCloses: Int) {
        self.slots = slots
        self.hashTable = hashTable
        self.keyBytes = keyBytes
        self.timers = timers
        self.offsets = offsets
        self.states = states
        self.pendingCloses = pendingCloses
    }

    /// Everything except `states` and `keyBytes`: the store's own overhead.
    public var overhead: Int { slots + hashTable + timers + offsets + pendingCloses }
    /// All of it.
    public var total: Int { overhead + keyBytes + states }
}
