/// One stats record: the sessions of one (window, tenant) group, emitted when the window closes.
public struct WindowStatsRecord: Sendable, Hashable {
    /// Window start (inclusive), event-time milliseconds since the epoch.
    public var windowStart: Int64
    /// Window end (exclusive).
    public var windowEnd: Int64
    /// The input partition, or `nil` when aggregated across partitions.
    public var partition: Int32?
    /// The tenant, or `nil` for sessions without one (or all sessions when grouping is off, or
    /// tenants beyond the per-window cap).
    public var tenant: String?
    /// Sessions in the group.
    public var sessions: Int
    /// Sessions per outcome, in ``WindowConfiguration/outcomeLabels`` order (zeros included).
    public var outcomes: [StatsCount]
    /// Sessions that reached `submitted`.
    public var submissions: Int
    /// Submitted sessions that also saw at least one error.
    public var submissionsWithErrors: Int
    /// Sessions per error code, ordered by the code's UTF-8 bytes.
    public var errorCodes: [StatsCount]
    /// Error-code occurrences not listed because the per-group cap was reached.
    public var errorCodesOmitted: Int
    /// Sessions ended by a `closed` event (early closes included).
    public var closedByEvent: Int
    /// Sessions ended by the inactivity timeout (early closes included).
    public var inactivityTimeouts: Int
    /// Sessions closed early by the open-session cap.
    public var evicted: Int
    /// Sessions closed early by a flush (shutdown).
    public var flushed: Int
    /// The `elapsedMs` distribution.
    public var elapsed: ElapsedSummary
}
