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

    public init(
        inactivityTimeoutMs: Int64 = 30 * 60_000, allowedLatenessMs: Int64 = 5_000, idleAdvanceAfterMs: Int64 = 10_000,
        windowMs: Int64 = 60_000, alertThreshold: Double = 0.2, alertMinVolume: Int = 20, maxRecordBytes: Int = 65_536,
        includeFormValues: Bool = false, publishNotOpened: Bool = false, maxOpenSessions: Int = 1_000_000,
        maxRememberedSessions: Int? = nil, inputPartitionCount: Int32 = 1
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
    }
}
