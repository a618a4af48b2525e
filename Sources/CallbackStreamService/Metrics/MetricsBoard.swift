import Synchronization

/// The hand-over point between the poll loops (writers) and the HTTP server (readers).
///
/// Each poll loop (one per stream thread) owns its counters without locks and publishes a copy
/// into its own slot every loop turn; readers take the latest copies, merged into one snapshot
/// for the process (``MetricsSnapshot/merging(_:)``). One short lock per publish, none per record.
public final class MetricsBoard: Sendable {
    private let slots: Mutex<[MetricsSnapshot]>

    /// A board with `slots` slots (one per stream thread), each starting as `initial`.
    public init(_ initial: MetricsSnapshot = MetricsSnapshot(), slots: Int = 1) {
        self.slots = Mutex(Array(repeating: initial, count: max(1, slots)))
    }

    /// Replaces the snapshot of the poll loop that owns `slot`.
    public func publish(_ snapshot: MetricsSnapshot, slot: Int = 0) {
        slots.withLock { $0[slot] = snapshot }
    }

    /// The process's snapshot: the only slot's, or all slots merged.
    public var snapshot: MetricsSnapshot {
        let all = slots.withLock { $0 }
        return all.count == 1 ? all[0] : MetricsSnapshot.merging(all)
    }
}
