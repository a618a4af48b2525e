/// Why a record was not processed: the machine code written to the dead-letter record's `error`
/// header (contract §1).
public enum RejectionCode: String, CaseIterable, Sendable {
    /// The value is not valid JSON (this includes invalid UTF-8).
    case invalidJSON = "invalid_json"
    /// A required field (`interactionId`, `event`, `timestamp`) is absent.
    case missingField = "missing_field"
    /// A known field has the wrong type or an out-of-range value.
    case badType = "bad_type"
    /// `event` is not one of the seven lifecycle events.
    case unknownEvent = "unknown_event"
    /// The record key is absent or differs from `interactionId`.
    case keyMismatch = "key_mismatch"
    /// The event is older than the close of its interaction's ended session (produced by the
    /// session store, never by the decoder).
    case lateEvent = "late_event"
    /// The record exceeds a size limit (bytes, nesting depth, list entries, or a session's limits).
    case tooLarge = "too_large"
    /// The event's timestamp is further ahead of its Kafka record timestamp than the allowed
    /// clock skew (produced by the topology, never by the decoder).
    case futureTimestamp = "future_timestamp"
}
