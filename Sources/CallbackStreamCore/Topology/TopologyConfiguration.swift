/// The settings of one partition's topology, in milliseconds and plain values.
public struct TopologyConfiguration: Sendable, Equatable {
    public var inactivityTimeoutMs: Int64
    public var allowedLatenessMs: Int64
    /// Wall-clock silence after which an idle partition's watermark advances with the wall clock.
    public var idleAdvanceAfterMs: Int64
    public var windowMs: Int64
    /// The error-spike alert rule; applied by the merge stage over all partitions
    /// (``WindowMergerConfiguration/init(topology:mergeTimeoutMs:)``), not per partition.
    public var alertThreshold: Double
    public var alertMinVolume: Int
    public var maxRecordBytes: Int
    public var includeFormValues: Bool
    /// Publish summaries of sessions that never reached `opened` (otherwise they are only counted).
    public var publishNotOpened: Bool
    /// Per-partition cap on open sessions (the processor also enforces its process-wide cap).
    public var maxOpenSessions: Int
    /// Per-partition cap on remembered closed sessions.
    public var maxRememberedSessions: Int
    /// The input topic's partition count, written into window partials and progress markers so
    /// the merge stage knows how many partitions must report a window (default 1; update a
    /// running topology with ``PartitionTopology/inputPartitionCount``).
    public var inputPartitionCount: Int32
    /// How far an event's timestamp may be ahead of its Kafka record timestamp (default 5 min).
    /// An event further ahead is dead-lettered (`future_timestamp`) and never touches the
    /// watermark or any session (contract §1). Negative values count as 0.
    public var maxClockSkewMs: Int64
    /// The longest a session may last from the event that opened it (default 1 h); it then ends
    /// with `closeReason: maxDuration` (contract §2). At least 1 ms.
    public var maxSessionDurationMs: Int64

    public init(
        inactivityTimeoutMs: Int64 = 30 * 60_000, allowedLatenessMs: Int64 = 5_000, idleAdvanceAfterMs: Int64 = 10_000,
        windowMs: Int64 = 60_000, alertThreshold: Double = 0.2, alertMinVolume: Int = 20, maxRecordBytes: Int = 65_536,
        includeFormValues: Bool = false, publishNotOpened: Bool = false, maxOpenSessions: Int = 1_000_000,
        maxRememberedSessions: Int? = nil, maxClockSkewMs: Int64 = 5 * 60_000, maxSessionDurationMs: Int64 = 60 * 60_000,
        inputPartitionCount: Int32 = 1
    ) {
        self.inactivityTimeoutMs = inactivityTimeoutMs
        self.allowedLatenessMs = allowedLatenessMs
        self.idleAdvanceAfterMs = idleAdvanceAfterMs
        self.windowMs = windowMs
        self.alertThreshold = alertThreshold
        self.alertMinVolume = alertMinVolume
        self.maxRecordBytes = maxRecordBytes
        self.includeFormValues = includeFormValues
        self.publishNotOpened = publishNotOpened
        self.maxOpenSessions = maxOpenSessions
        self.maxRememberedSessions = maxRememberedSessions ?? max(1_000, maxOpenSessions / 16)
        self.inputPartitionCount = inputPartitionCount
        self.maxClockSkewMs = maxClockSkewMs
        self.maxSessionDurationMs = maxSessionDurationMs
    }

    /// How long a closed session is remembered, in event time: until the window it contributed
    /// to is emitted (so the commit keeps covering still-open windows), and at least the
    /// inactivity timeout: max(inactivity timeout, 2 windows + allowed lateness).
    public var closedSessionRetentionMs: Int64 {
        max(inactivityTimeoutMs, EventTimeArithmetic.add(EventTimeArithmetic.add(windowMs, windowMs), allowedLatenessMs))
    }

    /// The bound on how far, in event time, the partition's retained offset (and so its commit)
    /// can stay behind its watermark: maximum session duration + closed-session retention.
    /// ``PartitionTopology/oldestRetainedEventTime`` is always later than `watermark − this`
    /// (to within the event times of 64 consecutive records, see there).
    public var retainedEventTimeBoundMs: Int64 {
        EventTimeArithmetic.add(max(1, maxSessionDurationMs), closedSessionRetentionMs)
    }
}
