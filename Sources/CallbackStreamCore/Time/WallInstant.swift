/// A reading of the injected wall clock: milliseconds on a monotonic time line.
///
/// The core never reads a clock itself. The runtime reads one (for example ``SystemWallClock``)
/// and passes instants in, so tests and replays drive time by hand (``ManualWallClock``).
/// Only differences between instants matter; the origin is arbitrary.
public struct WallInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Milliseconds since the clock's arbitrary origin.
    public var milliseconds: Int64

    /// Creates an instant `milliseconds` after the clock's origin.
    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    public static func < (lhs: WallInstant, rhs: WallInstant) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    /// The instant `duration` later (saturating, never traps).
    public func advanced(by duration: Duration) -> WallInstant {
        WallInstant(milliseconds: EventTimeArithmetic.add(milliseconds, EventTimeArithmetic.milliseconds(of: duration)))
    }

    /// Milliseconds from `earlier` to `self` (saturating; negative when `earlier` is later).
    public func milliseconds(since earlier: WallInstant) -> Int64 {
        EventTimeArithmetic.subtract(milliseconds, earlier.milliseconds)
    }

    public var description: String { "WallInstant(\(milliseconds) ms)" }
}
