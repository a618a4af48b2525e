/// Counters of a ``WindowMerger`` (totals since creation or ``WindowMerger/restore(_:)``).
public struct WindowMergerMetrics: Sendable, Hashable {
    /// Partials merged into a window.
    public internal(set) var partials = 0
    /// Progress markers read (stale ones included).
    public internal(set) var progressMarkers = 0
    /// Values that were not a valid partial or marker, or a partial inconsistent with its window
    /// (another window end for the same start, an unknown outcome name).
    public internal(set) var rejectedMessages = 0
    /// Partials whose identity (input partition, tenant, window) was already merged: replays,
    /// ignored.
    public internal(set) var duplicatePartials = 0
    /// Partials for a window already published, not seen before: counted, not merged.
    public internal(set) var latePartials = 0
    /// Windows published because every input partition had reported them.
    public internal(set) var completeWindows = 0
    /// Windows published with some input partition missing (merge timeout or open-window cap).
    public internal(set) var incompleteWindows = 0
    /// Of those, windows published because of the open-window cap before their timeout.
    public internal(set) var windowsPublishedEarly = 0
    /// Stats records published.
    public internal(set) var statsRecords = 0
    /// Alerts published.
    public internal(set) var alerts = 0

    /// Creates zeroed counters.
    public init() {}
}
