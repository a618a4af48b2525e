/// A session the store has closed, handed to the caller by ``SessionStore/drainClosed(_:)``.
public struct ClosedSession<State> {
    /// The per-session state, moved out of the store.
    public var state: State
    /// 1 for the first session of an interaction, + 1 for each reopen while the previous one is remembered.
    public var sessionSeq: UInt32
    /// How the session ended in the contract's terms.
    public var reason: SessionCloseReason
    /// Set when the session was cut short (evicted by the cap, or flushed).
    public var earlyClose: SessionEarlyClose?
    /// The session's close time in event time (milliseconds): the `closed` event's timestamp; last
    /// event + inactivity timeout for a timeout; for an early close, `max(watermark, last event time)`.
    /// Later events for the interaction at or before this time are late.
    public var closeTime: Int64

    /// Creates a closed-session record.
    @inlinable
    public init(state: State, sessionSeq: UInt32, reason: SessionCloseReason, earlyClose: SessionEarlyClose?, closeTime: Int64) {
        self.state = state
        self.sessionSeq = sessionSeq
        self.reason = reason
        self.earlyClose = earlyClose
        self.closeTime = closeTime
    }
}

extension ClosedSession: Sendable where State: Sendable {}
