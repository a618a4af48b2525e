/// When each lifecycle event of an expected session happened (ms since the epoch), `nil` if it did not.
public struct ExpectedTimestamps: Sendable, Equatable, Codable {
    public var ready: Int64?
    public var opened: Int64?
    public var started: Int64?
    public var submitted: Int64?
    public var cancelled: Int64?
    public var completed: Int64?
    public var closed: Int64?

    /// Creates timestamps; all default to `nil`.
    public init(
        ready: Int64? = nil, opened: Int64? = nil, started: Int64? = nil, submitted: Int64? = nil,
        cancelled: Int64? = nil, completed: Int64? = nil, closed: Int64? = nil
    ) {
        self.ready = ready
        self.opened = opened
        self.started = started
        self.submitted = submitted
        self.cancelled = cancelled
        self.completed = completed
        self.closed = closed
    }

    /// The timestamp of `event`.
    public subscript(event: TrafficEventName) -> Int64? {
        get {
            switch event {
            case .ready: ready
            case .opened: opened
            case .started: started
            case .submitted: submitted
            case .cancelled: cancelled
            case .completed: completed
            case .closed: closed
            }
        }
        set {
            switch event {
            case .ready: ready = newValue
            case .opened: opened = newValue
            case .started: started = newValue
            case .submitted: submitted = newValue
            case .cancelled: cancelled = newValue
            case .completed: completed = newValue
            case .closed: closed = newValue
            }
        }
    }
}
