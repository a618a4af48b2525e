import Logging

/// Every setting of `callback-stream run`, resolved and validated.
///
/// Built by ``SettingsResolver`` from flags, `CALLBACK_STREAM_*` environment variables and an
/// optional YAML/JSON file (flags > environment > file > defaults). Durations are milliseconds.
public struct ProcessorConfiguration: Sendable, Equatable {
    /// Output format of the process log.
    public enum LogFormat: String, Sendable, CaseIterable {
        case text
        case json
    }

    public var bootstrapServers: String = ""
    public var groupID = "callback-stream"
    /// Static group membership (`group.instance.id`, KIP-345), e.g. a StatefulSet's pod name;
    /// `nil`: dynamic membership.
    public var instanceID: String?
    public var inputTopic = "callback.lifecycle"
    public var outputTopic = "callback.summaries"
    public var dlqTopic = "callback.lifecycle.dlq"
    public var statsTopic = "callback.stats"
    public var alertsTopic = "callback.alerts"
    /// Internal topic of window partials and progress markers, read by the merge stage.
    public var statsPartialsTopic = "callback.stats.partials"
    /// Wall-clock time after which the merge stage publishes a window some input partition never
    /// reported (`nil`: max(90 s, 2 × window + lateness + idle advance)).
    public var statsMergeTimeoutMs: Int64?
    public var inactivityTimeoutMs: Int64 = 30 * 60_000
    public var allowedLatenessMs: Int64 = 5_000
    /// Wall-clock time a partition must receive nothing before its watermark advances with the wall clock.
    public var idleAdvanceAfterMs: Int64 = 10_000
    public var windowMs: Int64 = 60_000
    /// How far an event's timestamp may be ahead of its record timestamp (contract §1).
    public var maxClockSkewMs: Int64 = 5 * 60_000
    /// Longest a session may last from its first event (contract §2).
    public var maxSessionDurationMs: Int64 = 60 * 60_000
    public var alertThreshold: Double = 0.2
    public var alertMinVolume: Int = 20
    public var maxOpenSessions: Int = 1_000_000
    /// Closed sessions remembered per input partition (late-event detection, reopen numbering);
    /// `nil`: max(1,000, maxOpenSessions / 16).
    public var maxRememberedSessions: Int?
    public var maxRecordBytes: Int = 65_536
    public var metricsAddress = "0.0.0.0"
    public var metricsPort: Int = 9464
    public var logFormat: LogFormat = .text
    public var logLevel: Logger.Level = .info
    public var shutdownTimeoutMs: Int64 = 30_000
    public var commitIntervalMs: Int64 = 1_000
    public var includeFormValues = false
    public var publishNotOpened = false
    /// Wake librdkafka's fetcher as soon as a full prefetch queue has been drained (see `FetchStallGuard`).
    public var wakeFetcher = true
    /// Poll loops in this process, each its own consumer-group member with its own partitions,
    /// consumer and producer (Kafka Streams' `num.stream.threads`); `nil`: automatic
    /// (``StreamThreadPlan``: the available CPUs, at most the input topic's partitions).
    public var streamThreads: Int?
    /// librdkafka properties passed straight through (`-X key=value`).
    public var librdkafka: [String: String] = [:]

    public init() {}
}
