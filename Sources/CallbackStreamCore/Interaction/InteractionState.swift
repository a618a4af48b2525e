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
/// Merge rules:
/// - events: deduplicated by `eventId`, else by (`event`, `timestamp`); stored as 64-bit hashes.
/// - `proactive`/`prefilled`/`autoSubmitted`: from the metadata of the latest event (by
///   timestamp, then lifecycle order) that has a metadata block; a field absent there is
///   `false`. Two different events with the same timestamp and name: flags are OR-ed.
/// - `elapsed`: from the latest event whose metadata gives it (ties: the larger value).
/// - error codes and form field names: the union over all events, sorted bytewise.
/// - attributes and (when kept) form values: per key, the value of the latest event carrying
///   the key (ties: the bytewise larger value).
///
/// Storage: one inline struct of fixed size plus one `[UInt32]` holding, in sections, the
/// events (4 words each: timestamp·8+name, hash), error code ids, form field ids (4 words each
/// with value id and rank when form values are kept), and attributes (key id, value id, rank).
/// Strings live in the partition's ``SymbolTable``; the state holds one reference to each id
/// it stores, so call ``releaseSymbols(in:)`` when the session is dropped.
public struct InteractionState {
    /// Sections: events | errors | form fields | attributes.
    @usableFromInline var words: [UInt32] = []
    /// Metadata timestamps `opened, started, cancelled, completed, closed` (valid where the
    /// `metadataPresent` bit is set).
    var metadataTimestamps: (Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0)
    /// Rank (see `rank(of:)`) of the event the flags came from; 0 = none yet.
    var metadataRank: UInt64 = 0
    /// Rank of the event `elapsed` came from; 0 = none.
    var elapsedRank: UInt64 = 0
    var elapsedValue: Int64 = 0
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

    static let eventWords = 4
    static let attributeWords = 4
    static let initialWordCapacity = 40

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

    var formWords: Int { keepsFormValues ? 4 : 1 }
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
