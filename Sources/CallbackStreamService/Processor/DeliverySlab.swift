/// In-flight output records, indexed by the `opaque` value handed to the producer.
///
/// Each produced record takes a slot that remembers which partition and input offset caused
/// it, when it was produced and to which output it went; its delivery report frees the slot.
/// Slots are reused through a free list, so steady-state producing allocates nothing.
struct DeliverySlab {
    struct Entry {
        var partition: Int32
        var generation: UInt32
        var cause: Int64
        var producedAtNanos: UInt64
        var output: MetricsSnapshot.Output
    }

    private var entries: [Entry] = []
    private var free: [Int] = []

    /// Number of records produced and not yet reported.
    private(set) var inFlight = 0

    mutating func allocate(_ entry: Entry) -> UInt64 {
        inFlight += 1
        if let index = free.popLast() {
            entries[index] = entry
            return UInt64(index)
        }
        entries.append(entry)
        return UInt64(entries.count - 1)
    }

    mutating func release(_ opaque: UInt64) -> Entry? {
        let index = Int(opaque)
        guard index >= 0, index < entries.count else { return nil }
        inFlight -= 1
        free.append(index)
        return entries[index]
    }
}
