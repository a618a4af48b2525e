/// A binary min-heap of sessions keyed by their next record's delivery key (ties: insertion order).
struct DeliveryHeap {
    struct Entry {
        var key: Int64
        var sequence: UInt64
        var session: SessionPlan

        func precedes(_ other: Entry) -> Bool {
            key < other.key || (key == other.key && sequence < other.sequence)
        }
    }

    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var minKey: Int64? { entries.first?.key }

    /// Adds `session` keyed by its next delivery.
    mutating func push(_ session: SessionPlan) {
        let entry = Entry(key: session.deliveries[session.cursor].deliveryKey, sequence: nextSequence, session: session)
        nextSequence += 1
        entries.append(entry)
        siftUp(entries.count - 1)
    }

    /// Removes and returns the session with the smallest next delivery.
    mutating func popMin() -> SessionPlan? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0].session
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return top
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        let entry = entries[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard entry.precedes(entries[parent]) else { break }
            entries[child] = entries[parent]
            child = parent
        }
        entries[child] = entry
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        let entry = entries[parent]
        let count = entries.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let child = right < count && entries[right].precedes(entries[left]) ? right : left
            guard entries[child].precedes(entry) else { break }
            entries[parent] = entries[child]
            parent = child
        }
        entries[parent] = entry
    }
}
