/// Interns repeated byte strings (error codes, form field names, attribute keys and values) so
/// that sessions store 4-byte ``SymbolID``s instead of strings.
///
/// One table per input partition, owned and mutated by that partition's worker (a value type:
/// pass it `inout`). Symbols are reference counted: ``intern(_:)`` and ``retain(_:)`` add a
/// reference, ``release(_:)`` drops one, and a symbol whose count reaches zero is freed (its id
/// may be reused), so memory follows the live sessions rather than growing forever. All bytes
/// live in one arena that is compacted when more than half of it is garbage.
public struct SymbolTable: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var offset: UInt32
        @usableFromInline var length: UInt32
        @usableFromInline var refCount: UInt32
        @usableFromInline var hash: UInt32
    }

    @usableFromInline var entries: [Entry] = []
    @usableFromInline var freeIDs: [UInt32] = []
    @usableFromInline var arena: [UInt8] = []
    /// Open-addressing index (linear probing); 0 = empty, otherwise id + 1. Power-of-two size.
    @usableFromInline var index: [UInt32]
    @usableFromInline var liveCount = 0
    @usableFromInline var liveBytes = 0

    /// Seed of the table's hash family.
    @usableFromInline static let seed: UInt64 = 0x5359_4D42_4F4C_5331

    /// The index hash of `bytes` (``StableHash/keyed(_:_:_:_:)`` with fixed secrets: the values
    /// only place symbols in this table's index, so any well-mixed function does; this one costs
    /// a single multiply for short strings).
    @inlinable @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(StableHash.keyed(bytes, seed, StableHash.k1, StableHash.k2))
    }

    /// Creates an empty table sized for about `capacity` symbols.
    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        index = [UInt32](repeating: 0, count: size)
        entries.reserveCapacity(capacity)
        arena.reserveCapacity(capacity * 16)
    }

    /// Number of live symbols.
    public var count: Int { liveCount }

    /// Total bytes of the live symbols' text.
    public var storedBytes: Int { liveBytes }

    /// Approximate heap bytes held by the table (capacities of its buffers).
    public var memoryFootprint: Int {
        entries.capacity * MemoryLayout<Entry>.stride + freeIDs.capacity * 4 + arena.capacity
            + index.capacity * 4
    }

    /// Returns the id for `bytes`, adding the symbol if needed, and takes one reference to it.
    @inlinable
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> SymbolID {
        let h = Self.hash(bytes)
        if let id = find(bytes, hash: h) {
            entries[Int(id)].refCount &+= 1
            return SymbolID(rawValue: id)
        }
        return insert(bytes, hash: h)
    }

    /// Interns the UTF-8 bytes of `text` (convenience for tests and configuration).
    public mutating func intern(_ text: String) -> SymbolID {
        var copy = text
        return copy.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The id of `bytes` if interned, without taking a reference.
    @inlinable
    public func lookup(_ bytes: UnsafeRawBufferPointer) -> SymbolID? {
        find(bytes, hash: Self.hash(bytes)).map { SymbolID(rawValue: $0) }
    }

    /// Takes one more reference to a live symbol.
    @inlinable
    public mutating func retain(_ id: SymbolID) {
        let i = Int(id.rawValue)
        guard i < entries.count, entries[i].refCount > 0 else { return }
        entries[i].refCount &+= 1
    }

    /// Drops one reference; the symbol is freed when none remain. Releasing an id that is not
    /// live is ignored.
    public mutating func release(_ id: SymbolID) {
        let i = Int(id.rawValue)
        guard i < entries.count, entries[i].refCount > 0 else { return }
        entries[i].refCount -= 1
        guard entries[i].refCount == 0 else { return }
        freeSymbol(id.rawValue)
    }

    /// ``release(_:)`` for the first `perEntry` ids of each of the `count` entries of `stride`
    /// words at `ids`, in that order (entry by entry): what a state holds in a section.
    ///
    /// The counts are dropped under one access to the entries, left only to free a symbol that
    /// lost its last reference, instead of a uniqueness check and a call per id.
    mutating func release(entriesAt ids: UnsafePointer<UInt32>, count: Int, stride: Int, perEntry: Int) {
        var entry = 0
        var word = 0
        while entry < count {
            let freed: UInt32? = entries.withUnsafeMutableBufferPointer { entries in
                while entry < count {
                    let id = ids[entry &* stride &+ word]
                    word &+= 1
                    if word == perEntry {
                        word = 0
                        entry &+= 1
                    }
                    let i = Int(id)
                    guard i < entries.count, entries[i].refCount > 0 else { continue }
                    entries[i].refCount &-= 1
                    if entries[i].refCount == 0 { return id }
                }
                return nil
            }
            if let id = freed { freeSymbol(id) }
        }
    }

    /// Frees live symbol `id`, whose last reference was just dropped.
    private mutating func freeSymbol(_ id: UInt32) {
        removeFromIndex(id: id)
        liveCount -= 1
        liveBytes -= Int(entries[Int(id)].length)
        freeIDs.append(id)
    }

    /// Current number of references to `id` (0 when not live).
    public func referenceCount(_ id: SymbolID) -> Int {
        let i = Int(id.rawValue)
        return i < entries.count ? Int(entries[i].refCount) : 0
    }

    /// Calls `body` with the bytes of `id` (empty for an id that is not live).
    @inlinable
    public func withBytes<R>(_ id: SymbolID, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let i = Int(id.rawValue)
        guard i < entries.count, entries[i].refCount > 0 else {
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        let e = entries[i]
        return try arena.withUnsafeBytes { all in
            // A live entry's bytes lie inside the arena (checked in debug builds only: this is
            // every comparison's path).
            assert(Int(e.offset) + Int(e.length) <= all.count, "SymbolTable: entry outside the arena")
            guard let base = all.baseAddress else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
            return try body(UnsafeRawBufferPointer(start: base + Int(e.offset), count: Int(e.length)))
        }
    }

    /// Read-only access to the symbols' bytes without per-access array checks, for code that
    /// looks at several symbols in a row (a state's sorted sections). `view` is valid only
    /// during `body`, which must not mutate the table.
    @inlinable
    func withUnsafeView<R>(_ body: (UnsafeView) throws -> R) rethrows -> R {
        try entries.withUnsafeBufferPointer { entries in
            try arena.withUnsafeBytes { arena in try body(UnsafeView(entries: entries, arena: arena)) }
        }
    }

    /// The table's entries and arena as raw buffers (see ``withUnsafeView(_:)``).
    @usableFromInline
    struct UnsafeView {
        @usableFromInline let entries: UnsafeBufferPointer<Entry>
        @usableFromInline let arena: UnsafeRawBufferPointer

        @inlinable
        init(entries: UnsafeBufferPointer<Entry>, arena: UnsafeRawBufferPointer) {
            self.entries = entries
            self.arena = arena
        }

        /// The bytes of `id`: empty for an id that is not live, like ``SymbolTable/withBytes(_:_:)``.
        @inlinable
        @inline(__always)
        func bytes(_ id: SymbolID) -> UnsafeRawBufferPointer {
            let i = Int(id.rawValue)
            guard i < entries.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            let e = entries[i]
            guard e.refCount > 0, let base = arena.baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            assert(Int(e.offset) + Int(e.length) <= arena.count, "SymbolTable: entry outside the arena")
            return UnsafeRawBufferPointer(start: base + Int(e.offset), count: Int(e.length))
        }

        /// Whether `id` holds exactly `bytes` (an id that is not live holds none), testing the
        /// length before touching the bytes.
        @inlinable
        @inline(__always)
        func equals(_ id: SymbolID, _ bytes: UnsafeRawBufferPointer) -> Bool {
            let i = Int(id.rawValue)
            guard i < entries.count else { return bytes.isEmpty }
            let e = entries[i]
            let length = e.refCount > 0 ? Int(e.length) : 0
            guard length == bytes.count else { return false }
            guard length > 0, let base = arena.baseAddress, let other = bytes.baseAddress else { return true }
            return ByteComparison.equalBytes(base + Int(e.offset), other, length)
        }

        /// ``equals(_:_:)`` for an id known to be live (one the caller holds a reference to, as a
        /// state does for every id it stores): no bounds or liveness tests in release builds.
        @inlinable
        @inline(__always)
        func equalsLive(_ id: SymbolID, _ bytes: UnsafeRawBufferPointer) -> Bool {
            assert(Int(id.rawValue) < entries.count && entries[Int(id.rawValue)].refCount > 0, "SymbolTable: id not live")
            let e = entries.baseAddress.unsafelyUnwrapped[Int(id.rawValue)]
            let length = Int(e.length)
            guard length == bytes.count else { return false }
            // A live symbol's bytes lie in the arena, so both addresses exist when `length` > 0.
            guard length > 0 else { return true }
            return ByteComparison.equalBytes(
                arena.baseAddress.unsafelyUnwrapped + Int(e.offset), bytes.baseAddress.unsafelyUnwrapped, length)
        }
    }

    /// A copy of the text of `id` (allocates; for tests, logs of non-PII values and slow paths).
    public func string(_ id: SymbolID) -> String {
        withBytes(id) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `id` holds exactly `bytes`.
    @inlinable
    public func equals(_ id: SymbolID, _ bytes: UnsafeRawBufferPointer) -> Bool {
        withBytes(id) { ByteComparison.equal($0, bytes) }
    }

    /// Bytewise order of the text of `id` against `bytes` (negative: `id` sorts first).
    @inlinable
    public func compare(_ id: SymbolID, _ bytes: UnsafeRawBufferPointer) -> Int {
        withBytes(id) { ByteComparison.compare($0, bytes) }
    }

    /// Bytewise order of two symbols' text (negative: `a` sorts first).
    @inlinable
    public func compare(_ a: SymbolID, _ b: SymbolID) -> Int {
        if a == b { return 0 }
        return withBytes(a) { pa in withBytes(b) { pb in ByteComparison.compare(pa, pb) } }
    }

    // MARK: - Internals

    @inlinable
    func find(_ bytes: UnsafeRawBufferPointer, hash h: UInt64) -> UInt32? {
        let h32 = UInt32(truncatingIfNeeded: h)
        let mask = index.count - 1
        return index.withUnsafeBufferPointer { slots in
            entries.withUnsafeBufferPointer { entries in
                arena.withUnsafeBytes { arena in
                    var slot = Int(h32) & mask
                    while true {
                        let v = slots[slot]
                        if v == 0 { return nil }
                        // Wrapping arithmetic: `v` > 0 is an entry's id + 1; slots are masked.
                        let e = entries[Int(v &- 1)]
                        let length = Int(e.length)
                        // An indexed symbol is live: its bytes lie in the arena, so both
                        // addresses exist when `length` > 0.
                        if e.hash == h32, length == bytes.count,
                            length == 0
                                || ByteComparison.equalBytes(
                                    arena.baseAddress.unsafelyUnwrapped + Int(e.offset), bytes.baseAddress.unsafelyUnwrapped,
                                    length)
                        {
                            return v &- 1
                        }
                        slot = (slot &+ 1) & mask
                    }
                }
            }
        }
    }

    @usableFromInline
    mutating func insert(_ bytes: UnsafeRawBufferPointer, hash h: UInt64) -> SymbolID {
        if (liveCount + 1) * 2 > index.count { growIndex() }
        if arena.count > 4096, arena.count > 2 * liveBytes { compactArena() }
        let offset = UInt32(truncatingIfNeeded: arena.count)
        arena.append(contentsOf: bytes)
        let entry = Entry(
            offset: offset, length: UInt32(truncatingIfNeeded: bytes.count), refCount: 1,
            hash: UInt32(truncatingIfNeeded: h))
        let id: UInt32
        if let reused = freeIDs.popLast() {
            id = reused
            entries[Int(id)] = entry
        } else {
            id = UInt32(truncatingIfNeeded: entries.count)
            entries.append(entry)
        }
        placeInIndex(id: id, hash: entry.hash)
        liveCount += 1
        liveBytes += bytes.count
        return SymbolID(rawValue: id)
    }

    mutating func placeInIndex(id: UInt32, hash: UInt32) {
        let mask = index.count - 1
        var slot = Int(hash) & mask
        while index[slot] != 0 { slot = (slot + 1) & mask }
        index[slot] = id + 1
    }

    mutating func removeFromIndex(id: UInt32) {
        let mask = index.count - 1
        var slot = Int(entries[Int(id)].hash) & mask
        while index[slot] != id + 1 {
            if index[slot] == 0 { return }
            slot = (slot + 1) & mask
        }
        // Backward-shift deletion keeps probe chains intact without tombstones.
        var hole = slot
        var j = slot
        while true {
            j = (j + 1) & mask
            let v = index[j]
            if v == 0 { break }
            let home = Int(entries[Int(v - 1)].hash) & mask
            let stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
            if stays { continue }
            index[hole] = v
            hole = j
        }
        index[hole] = 0
    }

    mutating func growIndex() {
        index = [UInt32](repeating: 0, count: index.count * 2)
        for (i, e) in entries.enumerated() where e.refCount > 0 {
            placeInIndex(id: UInt32(i), hash: e.hash)
        }
    }

    mutating func compactArena() {
        var fresh = [UInt8]()
        fresh.reserveCapacity(max(liveBytes * 2, 1024))
        arena.withUnsafeBytes { old in
            for i in entries.indices where entries[i].refCount > 0 {
                let e = entries[i]
                let newOffset = UInt32(truncatingIfNeeded: fresh.count)
                fresh.append(contentsOf: UnsafeRawBufferPointer(rebasing: old[Int(e.offset)..<Int(e.offset + e.length)]))
                entries[i].offset = newOffset
            }
        }
        arena = fresh
    }
}
