/// Whether input is stopped because the producer queue is full — a pure state machine.
///
/// First the stream thread only *holds*: it stops taking records from the consumer but keeps what
/// librdkafka prefetched (pausing partitions would discard the prefetch queue, to be fetched
/// again). A hold longer than ``holdLimitNanos`` (a broker that stopped acknowledging) becomes a
/// pause of the assigned partitions, so that the consumer is polled again — rebalances are served
/// and `max.poll.interval.ms` is never exceeded. Input resumes once the queue has drained to
/// ``resumeAt``.
struct Backpressure: Equatable {
    enum State: Equatable {
        case off
        case holding(sinceNanos: UInt64)
        case paused
    }

    /// What the caller must do after an ``update(queued:nowNanos:)``.
    enum Transition: Equatable {
        /// Stop taking records from the consumer (keep its prefetch).
        case hold
        /// Pause the assigned partitions: the hold lasted longer than the limit.
        case pause
        /// Take records again; `fromPause` when the partitions must be resumed.
        case resume(fromPause: Bool)
    }

    /// Producer queue depth at which input stops (half of librdkafka's
    /// `queue.buffering.max.messages`, so input stops long before producing would fail).
    let pauseAt: Int
    /// Queue depth at or below which input resumes.
    let resumeAt: Int
    let holdLimitNanos: UInt64
    private(set) var state = State.off

    static let defaultHoldLimitNanos: UInt64 = 5_000_000_000

    /// Thresholds for a producer queue of `producerQueueCapacity` messages.
    init(producerQueueCapacity: Int, holdLimitNanos: UInt64 = Self.defaultHoldLimitNanos) {
        pauseAt = max(1, producerQueueCapacity / 2)
        resumeAt = max(0, producerQueueCapacity * 2 / 5)
        self.holdLimitNanos = holdLimitNanos
    }

    /// Whether records may be taken from the consumer now.
    var admitsInput: Bool { state == .off }

    /// Feeds the producer's queue length at `nowNanos` (monotonic); returns the transition, if any.
    mutating func update(queued: Int, nowNanos: UInt64) -> Transition? {
        switch state {
        case .off:
            guard queued >= pauseAt else { return nil }
            state = .holding(sinceNanos: nowNanos)
            return .hold
        case .holding(let since):
            if queued <= resumeAt {
                state = .off
                return .resume(fromPause: false)
            }
            if nowNanos &- since >= holdLimitNanos {
                state = .paused
                return .pause
            }
            return nil
        case .paused:
            guard queued <= resumeAt else { return nil }
            state = .off
            return .resume(fromPause: true)
        }
    }
}
