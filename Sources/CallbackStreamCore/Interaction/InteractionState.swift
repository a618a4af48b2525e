#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The compact state of one open session of one interaction: what its events said so far.
///
/// Apply decoded events with ``apply(_:symbols:limits:)``; read the derived summary fields
/// (outcome, durations, anomalies, …) or render them with ``SummaryEncoder``. Arrival order
/// does not matter: events are kept in timestamp order and every merged value is chosen by
/// event time, with deterministic tie-breaks, so any permutation of the same events yields the
/// same summary (apart from the `outOfOrder` anomaly, which records that the order was not
/// sorted).
///
/// Merge rules ("latest" = greatest (timestamp, lifecycle order) of the carrying event):
/// - events: deduplicated by `eventId`, else by (`event`, `timestamp`); stored as 64-bit hashes.
///   A repeated identity with different content keeps the first arrival.
/// - `proactive`/`prefilled`/`autoSubmitted`: from the metadata of the latest event that has a
///   metadata block; a field absent there is `false`. Two different events with the same
///   timestamp and name: flags are OR-ed.
/// - `elapsed`: from the latest event whose metadata gives it (ties: the larger value).
/// - error codes and form field names: the union over all events, sorted bytewise.
/// - attributes and (when kept) form values: per key, the value of the latest event carrying
///   the key (ties: the bytewise larger value).
/// - metadata timestamps: only checked for agreement (the `metadataMismatch` anomaly); they
///   are kept as their low 32 bits, so a disagreement by an exact multiple of 2^32 ms
///   (≈ 49.7 days) would go unnoticed.
///
/// Storage: one heap block (``InteractionStorage``) holding the fixed fields and, in sections,
/// the events (4 words each: timestamp·8+name, then the 64-bit dedup hash), error code ids, form
/// field name ids (3 words each — name, value, source event — when form values are kept), and
/// attributes (key, value, source event); the struct itself is one reference (8 bytes). The
/// block is sized to what the session holds (the first event's words exactly, then growing by
/// 1.5×, at least by four events: ``grownCapacity(_:needed:)``) and copied on write; states
/// without events share an immortal empty block. Timestamps are stored absolute (53 bits, packed
/// with the event name) rather than relative to the first event: the same 8 bytes, but no
/// rebasing and no overflow case when a late event is far from the others. A "source event"
/// is the index of the event entry that supplied a value; it stands for that event's rank and
/// is shifted when an earlier event is inserted. Strings live in the partition's
/// ``SymbolTable``; the state holds one reference to each id it stores, so call
/// ``releaseSymbols(in:)`` when the session is dropped.
///
/// `@unchecked Sendable`: a value type whose block is written only while this state holds the
/// only reference to it (copy on write), so copies on different threads never share writes.
public struct InteractionState: @unchecked Sendable {
    /// Header and words; written only while uniquely referenced (see ``makeUnique(room:)``).
    @usableFromInline var storage: InteractionStorage

    static let noEvent = UInt16.max
    static let eventWords = 4
    static let attributeWords = 3

    /// Creates the empty state of a new session.
    ///
    /// - Parameter keepFormValues: Also keep form field values (PII) so that a summary can
    ///   include them (``SummaryEncoder`` `includeFormValues`). When false, values are never
    ///   stored.
    public init(keepFormValues: Bool = false) {
        storage = InteractionStorage.empty(keepFormValues: keepFormValues)
    }

    // MARK: - Fixed fields (in the block's header)

    var nEvents: UInt16 {
        get { storage.fields.pointee.nEvents }
        set { assertUnique(); storage.fields.pointee.nEvents = newValue }
    }
    var nErrors: UInt16 {
        get { storage.fields.pointee.nErrors }
        set { assertUnique(); storage.fields.pointee.nErrors = newValue }
    }
    var nForm: UInt16 {
        get { storage.fields.pointee.nForm }
        set { assertUnique(); storage.fields.pointee.nForm = newValue }
    }
    var nAttributes: UInt16 {
        get { storage.fields.pointee.nAttributes }
        set { assertUnique(); storage.fields.pointee.nAttributes = newValue }
    }
    var metadataSource: UInt16 {
        get { storage.fields.pointee.metadataSource }
        set { assertUnique(); storage.fields.pointee.metadataSource = newValue }
    }
    var elapsedSource: UInt16 {
        get { storage.fields.pointee.elapsedSource }
        set { assertUnique(); storage.fields.pointee.elapsedSource = newValue }
    }
    var namesSeen: UInt8 {
        get { storage.fields.pointee.namesSeen }
        set { assertUnique(); storage.fields.pointee.namesSeen = newValue }
    }
    var flagBits: UInt8 {
        get { storage.fields.pointee.flagBits }
        set { assertUnique(); storage.fields.pointee.flagBits = newValue }
    }
    var recordedAnomalies: AnomalySet {
        get { storage.fields.pointee.recordedAnomalies }
        set { assertUnique(); storage.fields.pointee.recordedAnomalies = newValue }
    }
    var metadataPresent: UInt8 {
        get { storage.fields.pointee.metadataPresent }
        set { assertUnique(); storage.fields.pointee.metadataPresent = newValue }
    }
    var metadataConflict: UInt8 {
        get { storage.fields.pointee.metadataConflict }
        set { assertUnique(); storage.fields.pointee.metadataConflict = newValue }
    }
    var elapsedValue: Int64 {
        get { Int64(bitPattern: UInt64(storage.fields.pointee.elapsedHigh) << 32 | UInt64(storage.fields.pointee.elapsedLow)) }
        set {
            assertUnique()
            storage.fields.pointee.elapsedLow = UInt32(truncatingIfNeeded: newValue)
            storage.fields.pointee.elapsedHigh = UInt32(truncatingIfNeeded: newValue >> 32)
        }
    }

    /// The words (see the type's storage note). No bounds checks in release builds; re-read
    /// after anything that may grow the block (``insertWords(_:at:)``).
    @inline(__always)
    var words: StateWords { StateWords(base: storage.words, capacity: Int(storage.fields.pointee.capacity)) }

    /// Makes the block uniquely referenced and, for a state without a block of its own, gives it
    /// room for `room` words. Call before any write.
    @inline(__always)
    mutating func makeUnique(room: Int) {
        if !isKnownUniquelyReferenced(&storage) {
            let used = wordsEnd
            storage = storage.copy(count: used, capacity: max(used + room, Int(storage.fields.pointee.capacity)))
        }
    }

    @inline(__always)
    mutating func assertUnique() {
        assert(isKnownUniquelyReferenced(&storage) && storage.fields.pointee.capacity > 0, "InteractionState: write to a shared block")
    }

    /// Whether this state keeps form values.
    public var keepsFormValues: Bool { flagBits & 8 != 0 }

    /// Number of distinct events applied.
    public var eventCount: Int { Int(nEvents) }

    var formWords: Int { keepsFormValues ? 3 : 1 }
    var errorsStart: Int { Int(nEvents) * Self.eventWords }
    var formStart: Int { errorsStart + Int(nErrors) }
    var attributesStart: Int { formStart + Int(nForm) * formWords }
    var wordsEnd: Int { attributesStart + Int(nAttributes) * Self.attributeWords }

    @inline(__always)
    func uint64(at i: Int) -> UInt64 {
        UInt64(words[i]) | UInt64(words[i + 1]) << 32
    }

    @inline(__always)
    mutating func setUInt64(_ v: UInt64, at i: Int) {
        words[i] = UInt32(truncatingIfNeeded: v)
        words[i + 1] = UInt32(truncatingIfNeeded: v >> 32)
    }

    /// The word capacity a full block of `capacity` words grows to when it needs `needed`: by
    /// half, but at least by ``minimumGrowth`` words, or what is needed if more. The minimum
    /// step spares a small block (the first one holds exactly its first event) a regrowth at
    /// nearly every event of its lifecycle (ready, opened, started, submitted with its form,
    /// completed, closed); larger blocks grow by half, which bounds their unused tail.
    @inline(__always)
    static func grownCapacity(_ capacity: Int, needed: Int) -> Int {
        max(needed, capacity &+ max(capacity >> 1, minimumGrowth))
    }

    /// The least a block grows by, in words: room for four more events.
    static let minimumGrowth = 4 * eventWords

    /// Opens a gap of `n` zero words at `position` (the state must be unique: see
    /// ``makeUnique(room:)``), growing the block (``grownCapacity(_:needed:)``) when full.
    mutating func insertWords(_ n: Int, at position: Int) {
        assertUnique()
        // Wrapping arithmetic: word counts and indices of the block (below its 32-bit capacity).
        let oldCount = wordsEnd
        let capacity = Int(storage.fields.pointee.capacity)
        if oldCount &+ n > capacity {
            storage = storage.copy(count: oldCount, capacity: Self.grownCapacity(capacity, needed: oldCount &+ n))
        }
        let base = storage.words
        let tail = oldCount &- position
        if tail > 0 {
            memmove(base + (position &+ n), base + position, tail &* 4)
        }
        // At most 4 words: stores, not a `memset` call.
        var i = position
        let end = position &+ n
        while i < end {
            base[i] = 0
            i &+= 1
        }
    }

    /// Approximate bytes this session occupies: the inline reference plus its heap block
    /// (header and word capacity, rounded up like glibc malloc: 16-byte granules plus an 8-byte
    /// chunk header); a state without events shares an empty block and counts only the
    /// reference. Strings shared through the ``SymbolTable`` are not included.
    public var memoryFootprint: Int {
        let inline = MemoryLayout<InteractionState>.stride
        guard storage.fields.pointee.capacity > 0 else { return inline }
        return inline + storage.mallocChunkBytes
    }
}

/// The words of an ``InteractionState``'s block: a pointer with bounds asserted in debug builds.
struct StateWords {
    let base: UnsafeMutablePointer<UInt32>
    let capacity: Int

    @inline(__always)
    subscript(index: Int) -> UInt32 {
        get {
            assert(index >= 0 && index < capacity, "InteractionState: word index out of bounds")
            return base[index]
        }
        nonmutating set {
            assert(index >= 0 && index < capacity, "InteractionState: word index out of bounds")
            base[index] = newValue
        }
    }
}
