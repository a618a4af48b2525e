/// Caps on one session's size, protecting memory from pathological producers.
///
/// Within these limits a session's summary does not depend on arrival order (except the
/// `outOfOrder` anomaly); an event that would exceed one is refused with
/// ``ApplyResult/limitExceeded`` and leaves the state unchanged.
public struct InteractionLimits: Sendable, Equatable {
    /// Most distinct events per session (default 1024).
    public var maxEvents: Int
    /// Most distinct error codes, form fields, and attribute keys per session, each (default 128).
    public var maxDistinctValues: Int

    /// Creates limits (clamped to at least 1 and at most 65535).
    public init(maxEvents: Int = 1024, maxDistinctValues: Int = 128) {
        self.maxEvents = min(max(maxEvents, 1), Int(UInt16.max))
        self.maxDistinctValues = min(max(maxDistinctValues, 1), Int(UInt16.max))
    }
}
