/// A source of ``WallInstant``s: how the runtime tells the core what time it is.
///
/// The core's logic never calls a clock; the runtime calls `now()` and passes the instant to
/// `SessionStore.route(...)` / `SessionStore.tick(now:)`. Tests use ``ManualWallClock``.
public protocol WallClock: Sendable {
    /// The current instant. Must never go backwards.
    func now() -> WallInstant
}
