/// The real monotonic clock (`ContinuousClock`), for the runtime only.
///
/// This is the single place that reads real time; the core's logic never does. Instants are
/// milliseconds since this value was created.
public struct SystemWallClock: WallClock {
    private let origin: ContinuousClock.Instant

    /// Creates a clock whose origin is the moment of creation.
    public init() {
        self.origin = ContinuousClock.now
    }

    public func now() -> WallInstant {
        WallInstant(milliseconds: EventTimeArithmetic.milliseconds(of: origin.duration(to: ContinuousClock.now)))
    }
}
