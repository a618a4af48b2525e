/// Overflow-safe millisecond arithmetic for event time, deadlines and wall instants.
///
/// Timestamps come from untrusted input (any `Int64`), so every deadline computation saturates
/// at `Int64.min`/`Int64.max` instead of trapping.
public enum EventTimeArithmetic {
    /// `a + b`, clamped to the `Int64` range.
    @inlinable
    public static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { return b > 0 ? .max : .min }
        return sum
    }

    /// `a - b`, clamped to the `Int64` range.
    @inlinable
    public static func subtract(_ a: Int64, _ b: Int64) -> Int64 {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        if overflow { return b > 0 ? .min : .max }
        return difference
    }

    /// Whole milliseconds in `duration` (rounded toward zero, clamped to the `Int64` range).
    public static func milliseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds > 0 ? .max : .min }
        return add(millis, attoseconds / 1_000_000_000_000_000)
    }
}
