/// How many stream threads `run` starts, and why (the reason is logged at start).
///
/// `--stream-threads auto` (the default) takes the CPUs available to the process
/// (``AvailableCPUs``: affinity mask and cgroup quota), at most the input topic's partition count
/// (an instance is never assigned more partitions than that, and a member without partitions
/// only costs a consumer and a producer), at most 64. An explicit count is used as given.
public struct StreamThreadPlan: Sendable, Equatable {
    /// The most stream threads a process runs.
    public static let maximum = 64

    /// Stream threads to start.
    public var count: Int
    /// Why this count, for the start-up log line.
    public var reason: String

    /// - Parameters:
    ///   - requested: `--stream-threads` (`nil`: auto).
    ///   - cpus: what the process may use.
    ///   - inputPartitions: the input topic's partition count, `nil` if unknown.
    public static func choose(requested: Int?, cpus: AvailableCPUs, inputPartitions: Int?) -> StreamThreadPlan {
        if let requested {
            var reason = "--stream-threads \(requested)"
            if let inputPartitions, requested > inputPartitions {
                reason += "; the input topic has \(inputPartitions) partition(s), so \(requested - inputPartitions) thread(s) will get none"
            }
            return StreamThreadPlan(count: max(1, requested), reason: reason)
        }
        var count = min(cpus.count, maximum)
        var reason = "auto: \(cpus) available"
        if let inputPartitions {
            if inputPartitions < count {
                count = max(1, inputPartitions)
                reason += ", capped by the input topic's \(inputPartitions) partition(s)"
            } else {
                reason += ", input topic has \(inputPartitions) partitions"
            }
        } else {
            reason += ", input partition count unknown (not capped)"
        }
        return StreamThreadPlan(count: count, reason: reason)
    }
}
