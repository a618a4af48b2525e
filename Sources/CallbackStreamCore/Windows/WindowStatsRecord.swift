/// One stats record (`schemaVersion` 2): the sessions of one (window, tenant) group over all
/// input partitions, published by the ``WindowMerger`` once every partition has reported the
/// window (or the merge timeout passed).
public struct WindowStatsRecord: Sendable, Hashable {
    /// Window start (inclusive), event-time milliseconds since the epoch.
    public var windowStart: Int64
    /// Window end (exclusive).
    public var windowEnd: Int64
    /// The input topic's partition count the window was merged for (the largest any partial or
    /// covering progress marker reported).
    public var inputPartitions: Int
    /// How many of those partitions had reported the window complete when it was published
    /// (equal to ``inputPartitions`` unless published by the merge timeout).
    public var completePartitions: Int
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
    /// Sessions ended at the maximum session duration.
    public var maxDurations: Int = 0
    /// Sessions closed early by the open-session cap.
    public var evicted: Int
    /// Sessions closed early by a flush (shutdown).
    public var flushed: Int
    /// The `elapsedMs` distribution.
    public var elapsed: ElapsedSummary

    /// The record's stable id, `<tenant>:<windowStart>` (empty tenant when `nil`; split it from
    /// the right, the tenant may contain `:`).
    public var statsId: String { WindowStatsRecord.id(tenant: tenant, windowStart: windowStart) }

    /// `<tenant>:<windowStart>` (the id of both the stats record and the alert of a group).
    public static func id(tenant: String?, windowStart: Int64) -> String {
        "\(tenant ?? ""):\(windowStart)"
    }
}
