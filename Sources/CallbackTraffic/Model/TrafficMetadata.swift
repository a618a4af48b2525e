/// The seed's metadata block as it stands at one event: every value is `false` (here `nil`/empty) until set.
public struct TrafficMetadata: Sendable, Equatable {
    public var proactive: Bool
    public var prefilled: Bool
    public var autoSubmitted: Bool
    /// Error codes; written as `false` when empty.
    public var errors: [String]
    /// How `errors` is written.
    public var errorStyle: TrafficErrorStyle
    /// Submitted form parameters; written as `false` when `nil`.
    public var form: [TrafficField]?
    public var opened: Int64?
    public var started: Int64?
    public var cancelled: Int64?
    public var completed: Int64?
    public var closed: Int64?
    /// Milliseconds from `started` to `cancelled`/`completed`.
    public var elapsed: Int64?

    /// Creates a block; everything defaults to `false`.
    public init(
        proactive: Bool = false, prefilled: Bool = false, autoSubmitted: Bool = false,
        errors: [String] = [], errorStyle: TrafficErrorStyle = .strings, form: [TrafficField]? = nil,
        opened: Int64? = nil, started: Int64? = nil, cancelled: Int64? = nil,
        completed: Int64? = nil, closed: Int64? = nil, elapsed: Int64? = nil
    ) {
        self.proactive = proactive
        self.prefilled = prefilled
        self.autoSubmitted = autoSubmitted
        self.errors = errors
        self.errorStyle = errorStyle
        self.form = form
        self.opened = opened
        self.started = started
        self.cancelled = cancelled
        self.completed = completed
        self.closed = closed
        self.elapsed = elapsed
    }
}
