/// Retained offsets handed over by reopened sessions, each released at a given watermark: a
/// binary min-heap of (release time, offset).
///
/// When an interaction's remembered session is reopened, the new session retains its own first
/// offset; the previous session's first offset stays retained only until the watermark reaches
/// the time at which that session would have been forgotten had it not been reopened (its close
/// time + the closed-session retention). So a chain of reopened sessions (a hot key) never holds
/// the commit at its first offset for longer than any single session would, while a replay
/// within that time still rebuilds the chain and its `sessionSeq` numbers, and the windows the
/// previous sessions contributed to stay covered. Only reopens add entries (O(log n) each).
@usableFromInline
internal struct SessionRetainedReleases: Sendable {
    struct Entry: Sendable, Equatable {
        var releaseAt: Int64
        var offset: Int64
    }

    private(set) var entries: [Entry] = []

    init() {}

    var first: Entry? { entries.first }
    var count: Int { entries.count }
    var byteCount: Int { entries.capacity * MemoryLayout<Entry>.stride }

    mutating func insert(releaseAt: Int64, offset: Int64) {
        appendGrowingByHalf(&entries, Entry(releaseAt: releaseAt, offset: offset))
        var position = entries.count - 1
        let moving = entries[position]
        while position > 0 {
            let parent = (position - 1) / 2
            guard moving.releaseAt < entries[parent].releaseAt else { break }
            entries[position] = entries[parent]
            position = parent
        }
        entries[position] = moving
    }

    mutating func removeFirst() {
        let last = entries.removeLast()
        guard !entries.isEmpty else { return }
        var position = 0
        let count = entries.count
        while true {
            let left = 2 * position + 1
            guard left < count else { break }
            var child = left
            if left + 1 < count, entries[left + 1].releaseAt < entries[left].releaseAt { child = left + 1 }
            guard entries[child].releaseAt < last.releaseAt else { break }
            entries[position] = entries[child]
            position = child
        }
        entries[position] = last
    }
}
