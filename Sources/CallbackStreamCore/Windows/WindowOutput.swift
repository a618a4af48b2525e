/// A record produced by the ``WindowAggregator`` (the first, per-partition stage), in emission order.
public enum WindowOutput: Sendable, Hashable {
    /// One tenant's share of a window on this partition, for the partials topic.
    case partial(WindowPartial)
    /// The partition is complete through a window end, for the partials partitions of the
    /// windows it newly reports complete (``WindowRouting``); it follows the partials of the
    /// windows it covers.
    case progress(WindowProgress)
}
