/// What one input partition saw of one (window, tenant): the first stage of the two-stage
/// aggregation (per partition, then merged across partitions by a ``WindowMerger``).
///
/// Emitted by a partition's ``WindowAggregator`` when its watermark passes the window's end,
/// one per tenant group that had sessions in the window. Its identity is
/// (``inputPartition``, ``tenant``, ``windowStart``): a partition emits at most one partial per
/// identity, and a replayed one (after a crash) carries the same identity, so the merger
/// recognises it. Everything in it is mergeable: counts add up, and ``elapsed`` is the DDSketch
/// itself (its bins), not its percentiles.
public struct WindowPartial: Sendable, Hashable {
    /// The input partition the sessions came from.
    public var inputPartition: Int32
    /// The input topic's partition count as known to the emitting partition.
    public var partitionCount: Int32
    /// The tenant, or `nil` (sessions without one, all sessions when grouping is off, or tenants
    /// beyond the per-window cap).
    public var tenant: String?
    /// Window start (inclusive), event-time milliseconds since the epoch.
    public var windowStart: Int64
    /// Window end (exclusive).
    public var windowEnd: Int64
    /// Sessions in the group (at least 1).
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
    /// Sessions ended by a `closed` event.
    public var closedByEvent: Int
    /// Sessions ended by the inactivity timeout.
    public var inactivityTimeouts: Int
    /// Sessions ended at the maximum session duration.
    public var maxDurations: Int
    /// Sessions closed early by the open-session cap.
    public var evicted: Int
    /// Sessions closed early by a flush.
    public var flushed: Int
    /// The `elapsedMs` values, as a mergeable sketch.
    public var elapsed: DDSketch

    /// Creates a partial.
    public init(
        inputPartition: Int32, partitionCount: Int32, tenant: String?, windowStart: Int64, windowEnd: Int64,
        sessions: Int, outcomes: [StatsCount], submissions: Int, submissionsWithErrors: Int,
        errorCodes: [StatsCount], errorCodesOmitted: Int, closedByEvent: Int, inactivityTimeouts: Int,
        maxDurations: Int = 0, evicted: Int, flushed: Int, elapsed: DDSketch
    ) {
        self.inputPartition = inputPartition
        self.partitionCount = partitionCount
        self.tenant = tenant
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.sessions = sessions
        self.outcomes = outcomes
        self.submissions = submissions
        self.submissionsWithErrors = submissionsWithErrors
        self.errorCodes = errorCodes
        self.errorCodesOmitted = errorCodesOmitted
        self.closedByEvent = closedByEvent
        self.inactivityTimeouts = inactivityTimeouts
        self.maxDurations = maxDurations
        self.evicted = evicted
        self.flushed = flushed
        self.elapsed = elapsed
    }
}

/// A progress marker: "input partition ``inputPartition`` is complete through event time
/// ``completeThrough``" — it has emitted every partial it will ever emit for the windows that end
/// at or before that time (its watermark passed their end; a session closing behind an emitted
/// window is counted in a later one, never in an emitted one).
///
/// Emitted by a partition's ``WindowAggregator`` once per watermark advance that crosses one or
/// more window ends (not one per window, and also when those windows were empty), after the
/// partials of the windows it covers.
public struct WindowProgress: Sendable, Hashable {
    /// The input partition.
    public var inputPartition: Int32
    /// The input topic's partition count as known to the emitting partition.
    public var partitionCount: Int32
    /// Every window ending at or before this (event-time ms) is complete on this partition.
    public var completeThrough: Int64

    /// Creates a marker.
    public init(inputPartition: Int32, partitionCount: Int32, completeThrough: Int64) {
        self.inputPartition = inputPartition
        self.partitionCount = partitionCount
        self.completeThrough = completeThrough
    }
}
