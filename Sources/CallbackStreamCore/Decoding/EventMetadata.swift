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
    public var opened: Int64?
    /// `metadata.started` timestamp.
    public var started: Int64?
    /// `metadata.cancelled` timestamp.
    public var cancelled: Int64?
    /// `metadata.completed` timestamp.
    public var completed: Int64?
    /// `metadata.closed` timestamp.
    public var closed: Int64?
    /// `metadata.elapsed` in milliseconds.
    public var elapsed: Int64?

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
