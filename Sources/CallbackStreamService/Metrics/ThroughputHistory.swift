/// The recent history of the two counters the dashboard's throughput chart is drawn from: a
/// ring buffer of at most ``capacity`` samples, at least ``spacingMs`` apart, oldest first.
///
/// A pure value with no clock of its own: the caller passes each sample's time (the HTTP
/// server samples the published ``MetricsSnapshot`` once a ``spacingMs``; tests pass times by
/// hand). A sample older than the newest one means the wall clock stepped back: the history
/// starts afresh, as the page does with its own samples.
public struct ThroughputHistory: Sendable {
    /// One sample: the process's totals at a wall-clock time.
    public struct Sample: Sendable, Equatable {
        /// Wall-clock time in ms since epoch.
        public var atMs: Int64
        /// Records consumed so far (all partitions).
        public var consumed: UInt64
        /// Summaries delivered to the summaries topic so far.
        public var summaries: UInt64

        public init(atMs: Int64, consumed: UInt64, summaries: UInt64) {
            self.atMs = atMs
            self.consumed = consumed
            self.summaries = summaries
        }

        /// The sample of `snapshot` at `atMs`.
        public init(_ snapshot: MetricsSnapshot, atMs: Int64) {
            self.init(atMs: atMs, consumed: snapshot.totalConsumed, summaries: snapshot.producedByOutput[.summaries] ?? 0)
        }
    }

    /// The page's chart: five minutes at one sample a second, plus the page's 5 s rate window
    /// so that the oldest point of the chart has a rate too.
    public static let dashboardCapacity = 5 * 60 + 6
    /// The page's poll period.
    public static let dashboardSpacingMs: Int64 = 1_000

    /// The most samples kept; the oldest is dropped for a new one beyond it.
    public let capacity: Int
    /// The least time between two kept samples.
    public let spacingMs: Int64
    private var ring: [Sample] = []
    /// Index of the oldest sample in `ring` once it is full.
    private var oldest = 0

    public init(capacity: Int = ThroughputHistory.dashboardCapacity, spacingMs: Int64 = ThroughputHistory.dashboardSpacingMs) {
        precondition(capacity > 0, "a history holds at least one sample")
        self.capacity = capacity
        self.spacingMs = max(0, spacingMs)
        ring.reserveCapacity(capacity)
    }

    /// The newest sample, if any.
    public var newest: Sample? {
        guard !ring.isEmpty else { return nil }
        return ring[(oldest + ring.count - 1) % ring.count]
    }

    /// The samples, oldest first.
    public var samples: [Sample] {
        Array(ring[oldest...] + ring[..<oldest])
    }

    /// Keeps `sample` unless it comes less than ``spacingMs`` after the newest one.
    ///
    /// - Returns: whether the sample was kept.
    @discardableResult
    public mutating func record(_ sample: Sample) -> Bool {
        if let newest {
            if sample.atMs < newest.atMs {
                ring.removeAll(keepingCapacity: true)  // the wall clock stepped back
                oldest = 0
            } else if sample.atMs - newest.atMs < spacingMs {
                return false
            }
        }
        if ring.count < capacity {
            ring.append(sample)
        } else {
            ring[oldest] = sample
            oldest = (oldest + 1) % capacity
        }
        return true
    }
}
