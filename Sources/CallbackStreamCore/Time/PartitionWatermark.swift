/// The event-time watermark of one input partition: the event time up to which the partition is
/// considered complete.
///
/// ## Rules
///
/// Times are milliseconds. `L` is the allowed lateness, `G` the idle grace period.
///
/// - **Records.** Each record's event timestamp `t` (arriving at wall instant `a`) sets
///   `maxEventTime = max(maxEventTime, t)`, `lastArrival = a`, and
///   `watermark = max(watermark, maxEventTime − L)`.
/// - **Idle partitions.** A tick at wall instant `now` with `idle = now − lastArrival > G` sets
///   `watermark = max(watermark, maxEventTime − L + (idle − G))`: after the grace period the
///   watermark moves forward at wall-clock speed, continuously (no jump at `G`), so abandoned
///   sessions are emitted when traffic stops. A partition that never received an event has no
///   watermark and nothing to close.
/// - **Monotone.** The watermark never moves backwards (late records and ticks with an older
///   `now` cannot lower it). An event with `t ≤ watermark` is "behind the watermark".
/// - **Passing.** A deadline `d` has *passed* when `watermark ≥ d` (it is reached, not exceeded):
///   the watermark asserts that every event with timestamp `≤ watermark` has arrived.
///
/// ## Determinism
///
/// The watermark is a pure function of the sequence of `(eventTime, arrivedAt)` observations and
/// ticks fed to it; it never reads a clock. Idle advancement, however, depends on *when* records
/// arrived relative to the ticks, so a replay that delivers the same records faster (or with
/// different pauses) can close idle sessions at different points and so produce different output.
/// To keep a replay byte-identical, feed the same records with the same `arrivedAt` values and the
/// same ticks — or, simpler, do not tick (`tick(now:)`) a partition while the consumer is still
/// catching up (its lag is above zero): then only event time drives closes, and that is replayed
/// exactly.
public struct PartitionWatermark: Sendable {
    /// Allowed lateness `L` in milliseconds: how far behind the maximum event time the watermark trails.
    public let allowedLateness: Int64
    /// Idle grace period `G` in milliseconds: how long a partition may receive nothing before its
    /// watermark starts following the wall clock.
    public let idleGracePeriod: Int64
    /// The largest event timestamp seen, or `nil` before the first event.
    public private(set) var maximumEventTime: Int64?
    /// The wall instant of the latest arrival (event or any other record), or `nil` before the first.
    public private(set) var lastArrival: WallInstant?
    /// The current watermark, or `nil` before the first event.
    public var current: Int64? { maximumEventTime == nil ? nil : value }

    /// The watermark as a plain value: `Int64.min` before the first event.
    @usableFromInline
    internal private(set) var value: Int64 = .min

    /// Creates a watermark with lateness `L` and grace `G` in milliseconds (negative values count as 0).
    public init(allowedLateness: Int64, idleGracePeriod: Int64) {
        self.allowedLateness = max(0, allowedLateness)
        self.idleGracePeriod = max(0, idleGracePeriod)
    }

    /// Records an event with timestamp `eventTime` that arrived at `arrivedAt`.
    ///
    /// - Returns: `true` when the watermark moved forward.
    @discardableResult
    public mutating func observe(eventTime: Int64, arrivedAt: WallInstant) -> Bool {
        noteArrival(at: arrivedAt)
        if let maximum = maximumEventTime, maximum >= eventTime { return false }
        maximumEventTime = eventTime
        return raise(to: EventTimeArithmetic.subtract(eventTime, allowedLateness))
    }

    /// Records that something arrived on the partition at `instant` without an event time (for
    /// example a record that was dead-lettered): it resets the idle timer only.
    public mutating func noteArrival(at instant: WallInstant) {
        if let last = lastArrival, last >= instant { return }
        lastArrival = instant
    }

    /// Applies idle advancement for a tick at `now` (see the type's documentation).
    ///
    /// - Returns: `true` when the watermark moved forward.
    @discardableResult
    public mutating func advanceForIdleness(now: WallInstant) -> Bool {
        guard let maximum = maximumEventTime, let last = lastArrival else { return false }
        let idle = now.milliseconds(since: last)
        guard idle > idleGracePeriod else { return false }
        let base = EventTimeArithmetic.subtract(maximum, allowedLateness)
        return raise(to: EventTimeArithmetic.add(base, idle - idleGracePeriod))
    }

    /// Moves the watermark to `eventTime` if that is later (an explicit override, for example a
    /// runtime that aligns partitions or a test). Counts as having seen an event.
    ///
    /// - Returns: `true` when the watermark moved forward.
    @discardableResult
    public mutating func advance(to eventTime: Int64) -> Bool {
        if maximumEventTime == nil { maximumEventTime = EventTimeArithmetic.add(eventTime, allowedLateness) }
        return raise(to: eventTime)
    }

    private mutating func raise(to candidate: Int64) -> Bool {
        guard candidate > value else { return false }
        value = candidate
        return true
    }
}
