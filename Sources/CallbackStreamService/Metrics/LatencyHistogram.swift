/// A fixed-bucket latency histogram in seconds, rendered as a Prometheus histogram.
///
/// Cheap enough to update per delivery report: one linear scan over a dozen bucket bounds.
public struct LatencyHistogram: Sendable, Equatable {
    /// Upper bounds of the buckets in seconds (the `le` labels), ascending; `+Inf` is implicit.
    public static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Non-cumulative counts per bucket; the last element counts observations above every bound.
    public private(set) var counts: [UInt64] = Array(repeating: 0, count: LatencyHistogram.bounds.count + 1)
    public private(set) var sum: Double = 0
    public private(set) var count: UInt64 = 0

    public init() {}

    public mutating func observe(seconds: Double) {
        var index = Self.bounds.count
        for (i, bound) in Self.bounds.enumerated() where seconds <= bound {
            index = i
            break
        }
        counts[index] += 1
        sum += seconds
        count += 1
    }

    /// Adds `other`'s observations (both use the same ``bounds``).
    public mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        sum += other.sum
        count += other.count
    }

    /// Cumulative counts per bound, as Prometheus expects (`le` buckets), ending with `+Inf`.
    public var cumulativeCounts: [UInt64] {
        var running: UInt64 = 0
        return counts.map { running += $0; return running }
    }
}
