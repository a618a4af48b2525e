/// The members of the top-level object that the contract defines (``other`` for any other key).
///
/// The case order is the order producers write the members in (CONTRACT.md §1), which is what
/// ``successor`` predicts: the parser first tries the predicted key's compact spelling
/// (``EventParser/topLevelKey(_:expecting:)``) and reads and matches the key in full only when
/// that fails.
enum TopLevelKey: UInt8 {
    case interactionId, event, timestamp, eventId, metadata, attributes, other

    /// The member a key names (the key's unescaped bytes). (Always inlined into its one caller.)
    @inline(always)
    init(_ key: ByteView) {
        switch key.count {
        case 13 where key.elementsEqual("interactionId"): self = .interactionId
        case 5 where key.elementsEqual("event"): self = .event
        case 9 where key.elementsEqual("timestamp"): self = .timestamp
        case 7 where key.elementsEqual("eventId"): self = .eventId
        case 8 where key.elementsEqual("metadata"): self = .metadata
        case 10 where key.elementsEqual("attributes"): self = .attributes
        default: self = .other
        }
    }

    /// The member usually written after this one (``other`` after the last one or an unknown one).
    /// (A switch, not `init(rawValue:)`, which stays a call.)
    @inline(__always)
    var successor: TopLevelKey {
        switch self {
        case .interactionId: .event
        case .event: .timestamp
        case .timestamp: .eventId
        case .eventId: .metadata
        case .metadata: .attributes
        case .attributes, .other: .other
        }
    }
}

/// The members of the `metadata` object that the contract defines (``other`` for any other key),
/// in the order producers write them; see ``TopLevelKey`` for how the order is used.
enum MetadataKey: UInt8 {
    case proactive, prefilled, autoSubmitted, errors, form, opened, started, cancelled, completed, closed, elapsed, other

    /// The member a key names (the key's unescaped bytes). (Always inlined into its one caller.)
    @inline(always)
    init(_ key: ByteView) {
        switch key.count {
        case 9 where key.elementsEqual("proactive"): self = .proactive
        case 9 where key.elementsEqual("prefilled"): self = .prefilled
        case 13 where key.elementsEqual("autoSubmitted"): self = .autoSubmitted
        case 6 where key.elementsEqual("errors"): self = .errors
        case 4 where key.elementsEqual("form"): self = .form
        case 6 where key.elementsEqual("opened"): self = .opened
        case 7 where key.elementsEqual("started"): self = .started
        case 9 where key.elementsEqual("cancelled"): self = .cancelled
        case 9 where key.elementsEqual("completed"): self = .completed
        case 6 where key.elementsEqual("closed"): self = .closed
        case 7 where key.elementsEqual("elapsed"): self = .elapsed
        default: self = .other
        }
    }

    /// The member usually written after this one (``other`` after the last one or an unknown one).
    @inline(__always)
    var successor: MetadataKey {
        switch self {
        case .proactive: .prefilled
        case .prefilled: .autoSubmitted
        case .autoSubmitted: .errors
        case .errors: .form
        case .form: .opened
        case .opened: .started
        case .started: .cancelled
        case .cancelled: .completed
        case .completed: .closed
        case .closed: .elapsed
        case .elapsed, .other: .other
        }
    }
}
