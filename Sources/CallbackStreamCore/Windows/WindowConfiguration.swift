/// Settings of a ``WindowAggregator`` (the per-partition stage): window size, tenant grouping,
/// sketch accuracy, the partition's identity and memory caps. The alert settings belong to the
/// merge stage (``WindowMergerConfiguration``).
public struct WindowConfiguration: Sendable, Hashable {
    /// The contract's outcomes in the order stats records list them.
    public static let contractOutcomeLabels = [
        "completed", "failed", "abandonedForm", "cancelledBeforeStart", "submittedUnconfirmed", "notOpened",
    ]

    /// Length of the tumbling event-time windows (default 1 min; at least 1 ms). Windows are
    /// aligned to the epoch: `[k·size, (k+1)·size)`.
    public var windowSize: Duration
    /// Group sessions by their `attributes.tenant` (default `true`); when `false`, every session
    /// goes to the tenant-less group.
    public var groupByTenant: Bool
    /// Relative accuracy of the `elapsedMs` sketch (default 0.01, see ``DDSketch``). Every
    /// partition must use the same, so that partials merge bin by bin.
    public var relativeAccuracy: Double
    /// Outcome names in record order; a ``SessionContribution/outcome`` is an index into this list
    /// (default ``contractOutcomeLabels``).
    public var outcomeLabels: [String]
    /// The input partition written into partials and progress markers (`nil`: 0).
    public var partition: Int32?
    /// The input topic's partition count written into partials and markers (default 1; raised
    /// to `partition + 1` if smaller).
    public var inputPartitionCount: Int32
    /// Cap on tenant groups per window; sessions of further tenants go to the tenant-less group (default 1,000).
    public var maximumTenantsPerWindow: Int
    /// Cap on distinct error codes per group; further codes are only counted in `errorCodesOmitted` (default 100).
    public var maximumErrorCodesPerGroup: Int
    /// Cap on windows held open at once; beyond it the earliest is emitted early (default 64).
    public var maximumOpenWindows: Int

    /// Creates a configuration; every parameter has the documented default.
    public init(
        windowSize: Duration = .seconds(60),
        groupByTenant: Bool = true,
        relativeAccuracy: Double = DDSketch.defaultRelativeAccuracy,
        outcomeLabels: [String] = WindowConfiguration.contractOutcomeLabels,
        partition: Int32? = nil,
        inputPartitionCount: Int32 = 1,
        maximumTenantsPerWindow: Int = 1_000,
        maximumErrorCodesPerGroup: Int = 100,
        maximumOpenWindows: Int = 64
    ) {
        self.windowSize = windowSize
        self.groupByTenant = groupByTenant
        self.relativeAccuracy = relativeAccuracy
        self.outcomeLabels = outcomeLabels
        self.partition = partition
        self.inputPartitionCount = inputPartitionCount
        self.maximumTenantsPerWindow = maximumTenantsPerWindow
        self.maximumErrorCodesPerGroup = maximumErrorCodesPerGroup
        self.maximumOpenWindows = maximumOpenWindows
    }

    /// The index of `label` in ``outcomeLabels`` (map the processor's outcome enum once with this).
    public func outcomeIndex(of label: String) -> Int? {
        outcomeLabels.firstIndex(of: label)
    }

    /// The window size in milliseconds (at least 1).
    public var windowSizeMilliseconds: Int64 { max(1, EventTimeArithmetic.milliseconds(of: windowSize)) }
}
