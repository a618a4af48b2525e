/// A wall clock moved only by hand, for tests and for replay drivers (no sleeps, no real time).
public struct ManualWallClock: WallClock {
    /// The instant `now()` returns until the clock is advanced.
    public private(set) var current: WallInstant

    /// Creates a clock standing at `start` (default: the origin).
    public init(start: WallInstant = WallInstant(milliseconds: 0)) {
        self.current = start
    }

    public func now() -> WallInstant { current }

    /// Moves the clock forward by `duration` (negative durations are ignored: the clock is monotonic).
    public mutating func advance(by duration: Duration) {
        let step = EventTimeArithmetic.milliseconds(of: duration)
        if step > 0 { current = WallInstant(milliseconds: EventTimeArithmetic.add(current.milliseconds, step)) }
    }

    /// Moves the clock to `instant` if it is later than the current one.
    public mutating func advance(to instant: WallInstant) {
        if instant > current { current = instant }
    }
}
