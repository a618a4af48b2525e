import Foundation
import Synchronization

/// The processor's clocks, injected so that every time-dependent rule of the runtime (commit and
/// metrics pacing, idle partitions, the backpressure hold limit, latencies, log rate limits) is
/// tested with a ``ManualProcessorClock`` instead of real time.
///
/// Two readings with two meanings: ``monotonicNanos()`` for intervals — it never jumps when the
/// system clock is set — and ``wallMs()`` only where calendar time is the meaning (the dashboard's
/// "now"). Idle advancement of a partition's watermark is an interval (how long the partition has
/// been silent), so the core receives monotonic milliseconds for arrivals and ticks.
public protocol ProcessorClock: Sendable {
    /// Nanoseconds on a monotonic clock with an arbitrary origin.
    func monotonicNanos() -> UInt64
    /// Milliseconds since the Unix epoch (may jump when the system clock is set).
    func wallMs() -> Int64
}

extension ProcessorClock {
    /// Monotonic milliseconds (the core's arrival and tick instants).
    public func monotonicMs() -> Int64 { Int64(monotonicNanos() / 1_000_000) }
}

/// The real clocks: `DispatchTime` (monotonic, CLOCK_MONOTONIC on Linux) and `Date`.
public struct SystemProcessorClock: ProcessorClock {
    public init() {}
    public func monotonicNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    public func wallMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}

/// A clock moved only by hand, for tests: no sleeps, no real time.
public final class ManualProcessorClock: ProcessorClock {
    private let state: Mutex<(monotonic: UInt64, wall: Int64)>

    /// A clock standing at `monotonicNanos` and `wallMs`.
    public init(monotonicNanos: UInt64 = 1_000_000_000, wallMs: Int64 = 1_767_225_600_000) {
        state = Mutex((monotonicNanos, wallMs))
    }

    public func monotonicNanos() -> UInt64 { state.withLock { $0.monotonic } }
    public func wallMs() -> Int64 { state.withLock { $0.wall } }

    /// Moves both clocks forward by `duration` (negative durations are ignored).
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return }
        let nanos = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        state.withLock {
            $0.monotonic += nanos
            $0.wall += Int64(nanos / 1_000_000)
        }
    }
}
