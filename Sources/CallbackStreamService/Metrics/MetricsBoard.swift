import Synchronization

/// The hand-over point between the poll loop (writer) and the HTTP server (readers).
///
/// The poll loop owns its counters without locks and publishes a copy here every loop turn;
/// readers take the latest copy. One short lock per publish, none per record.
public final class MetricsBoard: Sendable {
    private let current: Mutex<MetricsSnapshot>

    public init(_ initial: MetricsSnapshot = MetricsSnapshot()) {
        current = Mutex(initial)
    }

    public func publish(_ snapshot: MetricsSnapshot) {
        current.withLock { $0 = snapshot }
    }

    public var snapshot: MetricsSnapshot {
        current.withLock { $0 }
    }
}
