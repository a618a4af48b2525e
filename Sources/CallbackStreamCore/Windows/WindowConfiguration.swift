/// Settings of a ``WindowAggregator``: window size, tenant grouping, alert threshold and memory caps.
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
    /// Error-spike alert when `submissionsWithErrors / submissions` is strictly above this (default 0.2).
    public var errorRateThreshold: Double
    /// …and `submissions` is at least this (default 20).
    public var minimumSubmissions: Int
    /// Relative accuracy of the `elapsedMs` percentiles (default 0.01, see ``DDSketch``).
    public var relativeAccuracy: Double
    /// Outcome names in record order; a ``SessionContribution/outcome`` is an index into this list
    /// (default ``contractOutcomeLabels``).
    public var outcomeLabels: [String]
    /// Partition number written into every record (`nil` when the aggregator spans partitions).
    public var partition: Int32?
    /// Cap on tenant groups per window; sessions of further tenants go to the tenant-less group (default 1,000).
    public var maximumTenantsPerWindow: Int
    /// Cap on distinct error codes per group; further codes are only counted in `errorCodesOmitted` (default 100).
    public var maximumErrorCodesPerGroup: Int
    /// Cap on windows held open at once; beyond it the earliest is emitted early (default 64).
    public var maximumOpenWindows: Int
    /// How many error codes an alert lists (default 5).
    public var alertTopErrorCodes: Int

    /// Creates a configuration; every parameter has the documented default.
    public init(
        windowSize: Duration = .seconds(60),
        groupByTenant: Bool = true,
        errorRateThreshold: Double = 0.2,
        minimumSubmissions: Int = 20,
        relativeAccuracy: Double = DDSketch.defaultRelativeAccuracy,
        outcomeLabels: [String] = WindowConfiguration.contractOutcomeLabels,
        partition: Int32? = nil,
        maximumTenantsPerWindow: Int = 1_000,
        maximumErrorCodesPerGroup: Int = 100,
        maximumOpenWindows: Int = 64,
        alertTopErrorCodes: Int = 5
    ) {
        self.windowSize = windowSize
        self.groupByTenant = groupByTenant
        self.errorRateThreshold = errorRateThreshold
        self.minimumSubmissions = minimumSubmissions
        self.relativeAccuracy = relativeAccuracy
        self.outcomeLabels = outcomeLabels
        self.partition = partition
        self.maximumTenantsPerWindow = maximumTenantsPerWindow
        self.maximumErrorCodesPerGroup = maximumErrorCodesPerGroup
        self.maximumOpenWindows = maximumOpenWindows
        self.alertTopErrorCodes = alertTopErrorCodes
    }

    /// The index of `label` in ``outcomeLabels`` (map the processor's outcome enum once with this).
    public func outcomeIndex(of label: String) -> Int? {
        outcomeLabels.firstIndex(of: label)
    }

    /// The window size in milliseconds (at least 1).
    public var windowSizeMilliseconds: Int64 { max(1, EventTimeArithmetic.milliseconds(of: windowSize)) }
}
