/// A kind of bad input record, and the dead-letter `error` code the processor must give it (CONTRACT.md §1).
public enum MalformedKind: String, Sendable, Codable, CaseIterable {
    /// A valid event cut short.
    case truncatedJSON
    /// A zero-byte value.
    case emptyValue
    /// A string containing bytes that are not UTF-8.
    case invalidUTF8
    /// An unknown member nested 10,000 arrays deep (a depth limit must reject it, not the stack;
    /// the contract's code for exceeding the depth limit is `too_large`, see
    /// `schemas/lifecycle-event.schema.json`).
    case deepNesting
    /// A required member of the wrong JSON type (`timestamp` as string or boolean, `event` as number).
    case wrongType
    /// A valid event over 64 KiB.
    case tooLarge
    /// A valid event whose record key is another interaction id.
    case keyMismatch
    /// A valid event without `timestamp`, `event` or `interactionId`.
    case missingField
    /// A well-formed event whose `event` is not a lifecycle event.
    case unknownEvent

    /// The dead-letter `error` header the processor must set.
    public var expectedErrorCode: String {
        switch self {
        case .truncatedJSON, .emptyValue, .invalidUTF8: "invalid_json"
        case .wrongType: "bad_type"
        case .tooLarge, .deepNesting: "too_large"
        case .keyMismatch: "key_mismatch"
        case .missingField: "missing_field"
        case .unknownEvent: "unknown_event"
        }
    }
}
