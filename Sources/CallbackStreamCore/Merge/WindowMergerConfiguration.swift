/// Settings of a ``WindowMerger``: the alert rule, the merge timeout and memory bounds.
public struct WindowMergerConfiguration: Sendable, Hashable {
    /// Error-spike alert when `submissionsWithErrors / submissions` over all partitions is
    /// strictly above this (default 0.2)…
    public var alertThreshold: Double
    /// …and `submissions` over all partitions is at least this (default 20).
    public var alertMinVolume: Int
    /// Wall-clock bound, from the moment the merger first saw a partial of a window, after which
    /// the window is published even though some input partition has not reported it (counted in
    /// ``WindowMergerMetrics/incompleteWindows``). See
    /// ``defaultMergeTimeoutMs(windowMs:allowedLatenessMs:idleAdvanceAfterMs:)``.
    public var mergeTimeoutMs: Int64
    /// Accuracy of the merged sketches (default 0.01; the partitions' sketches should use the
    /// same, then merging is exact: bins add up).
    public var relativeAccuracy: Double
    /// Outcome names in record order (default ``WindowConfiguration/contractOutcomeLabels``).
    public var outcomeLabels: [String]
    /// Cap on the error codes a stats record lists (default 100): when the partitions' codes
    /// together are more, the most frequent are kept (ties by code) and the rest counted in
    /// `errorCodesOmitted` — decided on the merged counts, so independent of arrival order.
    public var maximumErrorCodesPerGroup: Int
    /// How many error codes an alert lists (default 5).
    public var alertTopErrorCodes: Int
    /// Published windows whose partial identities are remembered, to tell a replayed partial
    /// (duplicate) from a late one (default 64; windows not yet acknowledged are always kept).
    public var rememberedPublishedWindows: Int
    /// Cap on windows waiting at once; beyond it the earliest is published incomplete
    /// (default 1,024 — about 17 h of 1-minute windows).
    public var maximumOpenWindows: Int

    /// The default merge timeout: `max(90 s, 2 × window + allowed lateness + idle advance)`
    /// (135 s with the defaults 1 min, 5 s, 10 s).
    ///
    /// Why: the merger first sees a window when the fastest partition's watermark passes its end.
    /// A live partition with traffic passes it too within the spread of the partitions' event
    /// times; an idle one once `--idle-advance-after` of silence has passed plus the lateness.
    /// The bound must also cover an instance that died (`kill -9`): its partitions are reassigned
    /// only after the consumer group's session timeout (librdkafka's default 45 s), then the new
    /// owner replays them before it reports again — one more window of slack for that replay,
    /// and a floor of 90 s so short windows do not make it shorter than the session timeout.
    /// Too short a timeout publishes incomplete records whose missing partials then arrive late
    /// (counted, not merged); too long only delays the records of a window that a partition
    /// never reports (a complete window is published as soon as the last marker arrives).
    public static func defaultMergeTimeoutMs(windowMs: Int64, allowedLatenessMs: Int64, idleAdvanceAfterMs: Int64) -> Int64 {
        let window = max(1, windowMs)
        let sum = EventTimeArithmetic.add(EventTimeArithmetic.add(window, window), EventTimeArithmetic.add(max(0, allowedLatenessMs), max(0, idleAdvanceAfterMs)))
        return max(90_000, sum)
    }

    /// Creates a configuration; every parameter has the documented default.
    public init(
        alertThreshold: Double = 0.2, alertMinVolume: Int = 20,
        mergeTimeoutMs: Int64 = WindowMergerConfiguration.defaultMergeTimeoutMs(windowMs: 60_000, allowedLatenessMs: 5_000, idleAdvanceAfterMs: 10_000),
        relativeAccuracy: Double = DDSketch.defaultRelativeAccuracy,
        outcomeLabels: [String] = WindowConfiguration.contractOutcomeLabels,
        maximumErrorCodesPerGroup: Int = 100, alertTopErrorCodes: Int = 5,
        rememberedPublishedWindows: Int = 64, maximumOpenWindows: Int = 1_024
    ) {
        self.alertThreshold = alertThreshold
        self.alertMinVolume = alertMinVolume
        self.mergeTimeoutMs = mergeTimeoutMs
        self.relativeAccuracy = relativeAccuracy
        self.outcomeLabels = outcomeLabels
        self.maximumErrorCodesPerGroup = maximumErrorCodesPerGroup
        self.alertTopErrorCodes = alertTopErrorCodes
        self.rememberedPublishedWindows = rememberedPublishedWindows
        self.maximumOpenWindows = maximumOpenWindows
    }

    /// The merge settings matching a topology's (alert threshold and volume; the timeout from
    /// its window, lateness and idle advance unless given).
    public init(topology: TopologyConfiguration, mergeTimeoutMs: Int64? = nil) {
        self.init(
            alertThreshold: topology.alertThreshold, alertMinVolume: topology.alertMinVolume,
            mergeTimeoutMs: mergeTimeoutMs ?? Self.defaultMergeTimeoutMs(
                windowMs: topology.windowMs, allowedLatenessMs: topology.allowedLatenessMs,
                idleAdvanceAfterMs: topology.idleAdvanceAfterMs))
    }
}
