/// A consistent copy of the processor's counters and gauges, published by the poll loop.
///
/// The single source of truth for `GET /metrics`, `GET /api/overview` and the dashboard:
/// both are rendered from the same snapshot, so they never disagree.
public struct MetricsSnapshot: Sendable, Equatable {
    /// Which output topic a produced record went to.
    public enum Output: String, Sendable, CaseIterable {
        case summaries, stats, alerts, dlq
        /// Window partials and progress markers for the merge stage (internal topic).
        case partials
    }

    /// A (outcome, close reason) pair for the summaries counter.
    public struct SummaryKey: Hashable, Sendable, Comparable {
        public var outcome: String
        public var closeReason: String
        public init(outcome: String, closeReason: String) {
            self.outcome = outcome
            self.closeReason = closeReason
        }
        public static func < (a: Self, b: Self) -> Bool {
            (a.outcome, a.closeReason) < (b.outcome, b.closeReason)
        }
    }

    /// An (output, librdkafka error name) pair for the per-record produce failures counter.
    public struct ProduceErrorKey: Hashable, Sendable, Comparable {
        public var output: String
        public var code: String
        public init(output: String, code: String) {
            self.output = output
            self.code = code
        }
        public static func < (a: Self, b: Self) -> Bool {
            (a.output, a.code) < (b.output, b.code)
        }
    }

    /// Percentiles of `elapsedMs` of the last closed window (all tenants of one partition).
    public struct ElapsedPercentiles: Sendable, Equatable {
        public var p50: Double
        public var p95: Double
        public var p99: Double
        public init(p50: Double, p95: Double, p99: Double) {
            self.p50 = p50
            self.p95 = p95
            self.p99 = p99
        }
    }

    /// The lifecycle stages counted for the funnel, in funnel order.
    public static let funnelStages = ["opened", "started", "submitted", "completed"]

    public var consumedByPartition: [Int32: UInt64] = [:]
    public var producedByOutput: [Output: UInt64] = [:]
    public var deadLettersByCode: [String: UInt64] = [:]
    /// Output records refused for good by librdkafka or the broker (per-record failures, e.g.
    /// `MSG_SIZE_TOO_LARGE`): counted and skipped, never retried.
    public var produceErrors: [ProduceErrorKey: UInt64] = [:]
    public var lateEvents: UInt64 = 0
    public var openSessionsByPartition: [Int32: Int] = [:]
    public var evictions: UInt64 = 0
    public var summaries: [SummaryKey: UInt64] = [:]
    public var stageReached: [String: UInt64] = [:]
    public var alerts: UInt64 = 0
    public var lastWindowErrorRatio: Double?
    public var alertThreshold: Double = 0
    public var lastWindowElapsed: ElapsedPercentiles?
    /// Watermark per partition in ms since epoch.
    public var watermarkByPartition: [Int32: Int64] = [:]
    public var consumerLagByPartition: [Int32: Int64] = [:]
    /// Records between the committed offset and the position, per partition: what a restart
    /// re-reads (bounded: see the README's "Delivery guarantees").
    public var commitLagRecordsByPartition: [Int32: Int64] = [:]
    /// Event time (ms) between the partition's watermark and the oldest record its state still
    /// needs: how far back in time the committed offset is held (bounded by
    /// max-session-duration + max(inactivity-timeout, 2 × window + allowed-lateness)).
    public var commitLagEventTimeMsByPartition: [Int32: Int64] = [:]
    public var commitLatency = LatencyHistogram()
    public var deliveryLatency = LatencyHistogram()
    /// The stats merge stage's counters by event (`partial`, `progress_marker`, `rejected`,
    /// `duplicate_partial`, `late_partial`, `complete_window`, `incomplete_window`,
    /// `window_published_early`).
    public var statsMerge: [String: UInt64] = [:]
    /// Windows the merge stage is waiting to publish.
    public var openStatsWindows: Int = 0
    public var replayingPartitions: Int = 0
    public var replayedRecords: UInt64 = 0
    /// Times librdkafka's fetcher was woken after a full prefetch queue was drained (`--wake-fetcher`).
    public var fetchWakeups: UInt64 = 0
    public var ready = false
    /// The most recent alert records (JSON text), newest last, at most ``recentAlertLimit``.
    public var recentAlerts: [String] = []

    public static let recentAlertLimit = 20

    /// A recent summary (JSON text; never contains form values unless configured), refreshed at
    /// most once a second — for the demo's terminal view.
    public var sampleSummary: String?

    public init() {}

    public var totalConsumed: UInt64 { consumedByPartition.values.reduce(0, +) }
    public var totalOpenSessions: Int { openSessionsByPartition.values.reduce(0, +) }
    public var totalSummaries: UInt64 { summaries.values.reduce(0, +) }
}
