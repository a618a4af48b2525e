import Synchronization

/// The process's ``ThroughputHistory``, shared between the HTTP server's sampler (the only
/// writer, once a second) and the `/api/history` handler.
public final class MetricsHistory: Sendable {
    private let history: Mutex<ThroughputHistory>

    public init(_ history: ThroughputHistory = ThroughputHistory()) {
        self.history = Mutex(history)
    }

    /// The least time between two kept samples.
    public var spacingMs: Int64 { history.withLock { $0.spacingMs } }

    /// Keeps the totals of `snapshot` at `atMs` (see ``ThroughputHistory/record(_:)``).
    @discardableResult
    public func record(_ snapshot: MetricsSnapshot, atMs: Int64) -> Bool {
        record(ThroughputHistory.Sample(snapshot, atMs: atMs))
    }

    /// Keeps `sample` (see ``ThroughputHistory/record(_:)``).
    @discardableResult
    public func record(_ sample: ThroughputHistory.Sample) -> Bool {
        history.withLock { $0.record(sample) }
    }

    /// The samples, oldest first.
    public var samples: [ThroughputHistory.Sample] {
        history.withLock { $0.samples }
    }
}
