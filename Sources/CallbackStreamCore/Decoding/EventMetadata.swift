/// The decoded metadata block of a lifecycle event (the seed's `proactive … elapsed` fields).
///
/// Every field is `false` on the wire until set; here an unset timestamp/elapsed is `nil`, an
/// unset `errors` is an empty list and an unset `form` is `nil`.
public struct EventMetadata {
    /// Callback was offered and accepted proactively.
    public var proactive = false
    /// The form was prefilled automatically.
    public var prefilled = false
    /// The form was submitted automatically.
    public var autoSubmitted = false
    /// Error codes (strings as given, or the `code` of error objects; integer codes as their
    /// decimal text). Empty when `errors` is `false`.
    public var errors = ByteViewList.empty
    /// Form fields: name → the value's raw JSON text, exactly as in the record. `nil` when
    /// `form` is `false` or absent. Values are PII: never log them.
    public var form: ByteViewPairList?
    /// `metadata.opened` timestamp (ms since epoch).
    public var opened: Int64? {
        @inline(__always) get { openedStorage == Self.unset ? nil : openedStorage }
        @inline(__always) set { openedStorage = newValue ?? Self.unset }
    }
    /// `metadata.started` timestamp.
    public var started: Int64? {
        @inline(__always) get { startedStorage == Self.unset ? nil : startedStorage }
        @inline(__always) set { startedStorage = newValue ?? Self.unset }
    }
    /// `metadata.cancelled` timestamp.
    public var cancelled: Int64? {
        @inline(__always) get { cancelledStorage == Self.unset ? nil : cancelledStorage }
        @inline(__always) set { cancelledStorage = newValue ?? Self.unset }
    }
    /// `metadata.completed` timestamp.
    public var completed: Int64? {
        @inline(__always) get { completedStorage == Self.unset ? nil : completedStorage }
        @inline(__always) set { completedStorage = newValue ?? Self.unset }
    }
    /// `metadata.closed` timestamp.
    public var closed: Int64? {
        @inline(__always) get { closedStorage == Self.unset ? nil : closedStorage }
        @inline(__always) set { closedStorage = newValue ?? Self.unset }
    }
    /// `metadata.elapsed` in milliseconds.
    public var elapsed: Int64? {
        @inline(__always) get { elapsedStorage == Self.unset ? nil : elapsedStorage }
        @inline(__always) set { elapsedStorage = newValue ?? Self.unset }
    }

    // The six values are stored as plain `Int64`s, `unset` standing for nil: 8 bytes each where
    // an `Int64?` takes 16, so that a block (96 bytes instead of 137) is copied with a few moves
    // rather than a memcpy call (the decoder copies it into each event it returns). `Int64.min`
    // is never a decoded value (those are 0 … 2^53−1); assigned, it reads back as nil.
    static var unset: Int64 { .min }
    var openedStorage = EventMetadata.unset
    var startedStorage = EventMetadata.unset
    var cancelledStorage = EventMetadata.unset
    var completedStorage = EventMetadata.unset
    var closedStorage = EventMetadata.unset
    var elapsedStorage = EventMetadata.unset

    /// An all-`false` metadata block.
    public init() {}

    /// The metadata timestamp for a lifecycle event name (only `opened`, `started`,
    /// `cancelled`, `completed`, `closed` exist in the metadata block).
    public func timestamp(for name: LifecycleEventName) -> Int64? {
        switch name {
        case .opened: opened
        case .started: started
        case .cancelled: cancelled
        case .completed: completed
        case .closed: closed
        case .ready, .submitted: nil
        }
    }
}
