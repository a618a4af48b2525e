import Synchronization

/// Which step of its stop a poll loop is in (flushing, committing, leaving the group), readable
/// from any thread: when a graceful shutdown passes its bound, the processor names the step each
/// loop was stuck in and for how long, so that the operator reading `exit 2` knows where.
final class ShutdownProgress: Sendable {
    enum State: Sendable, Equatable {
        /// Still in its loop: it has not seen the stop request yet (e.g. blocked in a call).
        case running
        case step(String, since: ContinuousClock.Instant)
        case stopped
    }

    /// What the loop is, e.g. "stream thread 0" or "the stats merge stage".
    let name: String
    private let state = Mutex(State.running)

    init(name: String) {
        self.name = name
    }

    /// The loop begins `step` (e.g. "flushing outputs").
    func enter(_ step: String) {
        let now = ContinuousClock.now
        state.withLock { $0 = .step(step, since: now) }
    }

    /// The loop has finished stopping.
    func finish() {
        state.withLock { $0 = .stopped }
    }

    var current: State { state.withLock { $0 } }

    /// What the loop is doing, for the log line of a shutdown past its bound; `nil` once stopped.
    func report(now: ContinuousClock.Instant = .now) -> String? {
        switch current {
        case .running:
            "\(name): still in its poll loop (it has not begun to stop)"
        case let .step(step, since):
            "\(name): \(step) for \(Self.seconds(now - since))"
        case .stopped:
            nil
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let tenths = duration.components.seconds * 10 + duration.components.attoseconds / 100_000_000_000_000_000
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
