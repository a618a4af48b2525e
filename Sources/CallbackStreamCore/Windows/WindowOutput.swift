/// A record produced by the ``WindowAggregator``, in emission order.
public enum WindowOutput: Sendable, Hashable {
    /// A stats record (topic `callback.stats`).
    case stats(WindowStatsRecord)
    /// An error-spike alert (topic `callback.alerts`), right after the stats record of its group.
    case alert(ErrorSpikeAlert)
}
