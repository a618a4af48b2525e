/// Settings of one partition's ``SessionStore``: timeouts, lateness, retention and memory caps.
public struct SessionStoreConfiguration: Sendable, Hashable {
    /// When a `closed` event ends its session.
    public enum ClosedEventPolicy: Sendable, Hashable {
        /// The session closes once the watermark reaches the `closed` event's timestamp, so events
        /// that arrive out of order within the allowed lateness still join it (same result as
        /// in-order delivery). Costs up to the allowed lateness of extra latency. The default.
        case atWatermark
        /// The session closes as soon as the `closed` event is reported; later-arriving events with
        /// an earlier timestamp are then late.
        case immediately
    }

    /// Event-time gap after a session's last event at which it times out (default 30 min).
    public var inactivityTimeout: Duration
    /// How far the watermark trails the largest event timestamp (default 5 s).
    public var allowedLateness: Duration
    /// How long a partition may receive nothing before its watermark follows the wall clock (default 5 s).
    public var idleGracePeriod: Duration
    /// How long (in event time, via the watermark) a closed session is remembered for late-event
    /// detection and `sessionSeq` numbering (default: `nil` = the inactivity timeout).
    public var closedSessionRetention: Duration?
    /// Cap on open sessions in this store; at the cap, opening one evicts the session with the
    /// earliest deadline (default 1,000,000; at least 1).
    public var maximumOpenSessions: Int
    /// Cap on remembered closed sessions; at the cap, the one that would be forgotten first is
    /// forgotten early (default 1,000,000; 0 = remember none).
    public var maximumRememberedSessions: Int
    /// When a reported `closed` event ends the session (default ``ClosedEventPolicy/atWatermark``).
    public var closedEventPolicy: ClosedEventPolicy
    /// The longest a session may last, in event time from the event that opened it (default
    /// `nil`: unlimited). A session closes with ``SessionCloseReason/maxDuration`` once the
    /// watermark reaches its opening event time + this duration, or when an event at or after
    /// that time arrives for it (that event opens the next session). At least 1 ms.
    public var maximumSessionDuration: Duration?

    /// Creates a configuration; every parameter has the documented default.
    public init(
        inactivityTimeout: Duration = .seconds(30 * 60),
        allowedLateness: Duration = .seconds(5),
        idleGracePeriod: Duration = .seconds(5),
        closedSessionRetention: Duration? = nil,
        maximumOpenSessions: Int = 1_000_000,
        maximumRememberedSessions: Int = 1_000_000,
        closedEventPolicy: ClosedEventPolicy = .atWatermark,
        maximumSessionDuration: Duration? = nil
    ) {
        self.inactivityTimeout = inactivityTimeout
        self.allowedLateness = allowedLateness
        self.idleGracePeriod = idleGracePeriod
        self.closedSessionRetention = closedSessionRetention
        self.maximumOpenSessions = maximumOpenSessions
        self.maximumRememberedSessions = maximumRememberedSessions
        self.closedEventPolicy = closedEventPolicy
        self.maximumSessionDuration = maximumSessionDuration
    }

    /// The inactivity timeout in milliseconds (at least 0).
    public var inactivityTimeoutMilliseconds: Int64 { max(0, EventTimeArithmetic.milliseconds(of: inactivityTimeout)) }
    /// The allowed lateness in milliseconds (at least 0).
    public var allowedLatenessMilliseconds: Int64 { max(0, EventTimeArithmetic.milliseconds(of: allowedLateness)) }
    /// The idle grace period in milliseconds (at least 0).
    public var idleGracePeriodMilliseconds: Int64 { max(0, EventTimeArithmetic.milliseconds(of: idleGracePeriod)) }
    /// The maximum session duration in milliseconds (at least 1; `Int64.max` when unlimited).
    public var maximumSessionDurationMilliseconds: Int64 {
        maximumSessionDuration.map { max(1, EventTimeArithmetic.milliseconds(of: $0)) } ?? .max
    }
    /// The closed-session retention in milliseconds (at least 0).
    public var closedSessionRetentionMilliseconds: Int64 {
        max(0, EventTimeArithmetic.milliseconds(of: closedSessionRetention ?? inactivityTimeout))
    }
}
