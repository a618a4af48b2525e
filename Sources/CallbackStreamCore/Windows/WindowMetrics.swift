/// Counters of a ``WindowAggregator`` (totals since creation).
public struct WindowMetrics: Sendable, Hashable {
    /// Contributions added.
    public internal(set) var contributions = 0
    /// Contributions whose close time fell in an already emitted window and were moved to the
    /// earliest open one.
    public internal(set) var clampedContributions = 0
    /// Contributions ignored because their outcome index was out of range.
    public internal(set) var rejectedContributions = 0
    /// Contributions put in the tenant-less group because the per-window tenant cap was reached.
    public internal(set) var tenantOverflows = 0
    /// Windows emitted before the watermark reached their end because of the open-window cap.
    public internal(set) var windowsEmittedEarly = 0
    /// Partials emitted.
    public internal(set) var partials = 0
    /// Progress markers emitted.
    public internal(set) var progressMarkers = 0

    /// Creates zeroed counters.
    public init() {}
}
