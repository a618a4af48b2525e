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
/// Storage: a small inline struct plus one `[UInt32]` holding, in sections, the events (4 words
/// each: timestamp·8+name, then the 64-bit dedup hash), error code ids, form field name ids
/// (3 words each — name, value, source event — when form values are kept), and attributes
/// (key, value, source event). Timestamps are stored absolute (53 bits, packed with the event
/// name) rather than relative to the first event: the same 8 bytes, but no rebasing and no
/// overflow case when a late event is far from the others. A "source event" is the index of
/// the event entry that supplied a value; it stands for that event's rank and is shifted when
/// an earlier event is inserted. Strings live in the partition's ``SymbolTable``; the state
/// holds one reference to each id it stores, so call ``releaseSymbols(in:)`` when the session
/// is dropped.
public struct InteractionState: Sendable {
    /// Sections: events | errors | form fields | attributes.
    @usableFromInline var words: [UInt32] = []
    var elapsedValue: Int64 = 0
    /// Low 32 bits of the metadata timestamps `opened, started, cancelled, completed, closed`
    /// (valid where the `metadataPresent` bit is set).
    var metadataTimestamps: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0)
    /// Event index the flags came from; `noEvent` = none yet.
    var metadataSource: UInt16 = InteractionState.noEvent
    /// Event index `elapsed` came from; `noEvent` = none.
    var elapsedSource: UInt16 = InteractionState.noEvent
    var nEvents: UInt16 = 0
    var nErrors: UInt16 = 0
    var nForm: UInt16 = 0
    var nAttributes: UInt16 = 0
    /// Bit per ``LifecycleEventName`` seen.
    var namesSeen: UInt8 = 0
    /// proactive 1, prefilled 2, autoSubmitted 4, keepFormValues 8.
    var flagBits: UInt8 = 0
    /// Order-dependent anomalies recorded while applying (`duplicate`, `outOfOrder`).
    var recordedAnomalies: AnomalySet = []
    var metadataPresent: UInt8 = 0
    var metadataConflict: UInt8 = 0

    static let noEvent = UInt16.max
    static let eventWords = 4
    static let attributeWords = 3
    /// Words reserved on the first event: 42 words plus the array header fill a 208-byte
    /// glibc chunk exactly; a complete six-event session with four attributes, four form
    /// fields and an error code fits without growing.
    static let initialWordCapacity = 42

    /// Creates the empty state of a new session.
    ///
    /// - Parameter keepFormValues: Also keep form field values (PII) so that a summary can
    ///   include them (``SummaryEncoder`` `includeFormValues`). When false, values are never
    ///   stored.
    public init(keepFormValues: Bool = false) {
        if keepFormValues { flagBits |= 8 }
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

    /// Opens a gap of `n` zero words at `position`, growing by 1.5× when full.
    mutating func insertWords(_ n: Int, at position: Int) {
        let oldCount = words.count
        if oldCount + n > words.capacity {
            let target = max(Self.initialWordCapacity, oldCount + n, words.capacity + words.capacity / 2)
            words.reserveCapacity(target)
        }
        for _ in 0..<n { words.append(0) }
        let tail = oldCount - position
        if tail > 0 {
            words.withUnsafeMutableBufferPointer { buf in
                let base = buf.baseAddress!
                memmove(base + position + n, base + position, tail * 4)
            }
        }
        for i in position..<(position + n) { words[i] = 0 }
    }

    /// Approximate bytes this session occupies: the inline struct plus the heap block of its
    /// word array (header and capacity, rounded up like glibc malloc: 16-byte granules plus an
    /// 8-byte chunk header). Strings shared through the ``SymbolTable`` are not included.
    public var memoryFootprint: Int {
        let inline = MemoryLayout<InteractionState>.stride
        guard words.capacity > 0 else { return inline }
        let requested = 32 + words.capacity * 4
        let chunk = max(32, (requested + 8 + 15) & ~15)
        return inline + chunk
    }
}
