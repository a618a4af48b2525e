/// An error-spike alert (`schemaVersion` 2): in one (window, tenant) group over all input
/// partitions, the share of submitted sessions that saw errors is strictly above the threshold,
/// over at least the minimum number of submissions.
public struct ErrorSpikeAlert: Sendable, Hashable {
    public var windowStart: Int64
    public var windowEnd: Int64
    public var tenant: String?
    /// `submissionsWithErrors / submissions`.
    public var ratio: Double
    /// The configured threshold the ratio exceeded.
    public var threshold: Double
    public var submissions: Int
    public var submissionsWithErrors: Int
    /// The configured minimum number of submissions.
    public var minimumSubmissions: Int
    /// The group's most frequent error codes (by count, descending, then by code), at most
    /// ``WindowConfiguration/alertTopErrorCodes``.
    public var topErrorCodes: [StatsCount]

    /// The alert's stable id, `<tenant>:<windowStart>` (at most one alert per group and window).
    public var alertId: String { WindowStatsRecord.id(tenant: tenant, windowStart: windowStart) }
}
