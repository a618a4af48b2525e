/// The `elapsedMs` distribution of a window group: exact count, minimum and maximum, and
/// percentiles from a ``DDSketch`` (relative error ≤ `relativeAccuracy`, + 0.5 ms rounding).
public struct ElapsedSummary: Sendable, Hashable {
    /// Sessions that had an `elapsedMs`.
    public var count: Int64
    public var minimum: Int64?
    public var maximum: Int64?
    public var p50: Int64?
    public var p95: Int64?
    public var p99: Int64?
    /// The sketch's relative accuracy α.
    public var relativeAccuracy: Double

    /// Summarises `sketch`.
    public init(_ sketch: DDSketch) {
        count = sketch.count
        minimum = sketch.minimum
        maximum = sketch.maximum
        p50 = sketch.quantileMilliseconds(0.5)
        p95 = sketch.quantileMilliseconds(0.95)
        p99 = sketch.quantileMilliseconds(0.99)
        relativeAccuracy = sketch.relativeAccuracy
    }
}
