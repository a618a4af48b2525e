/// Counters of one ``SessionStore`` (monotonic totals since creation or `removeAll()`, plus gauges).
public struct SessionStoreMetrics: Sendable, Hashable {
    /// Gauge: sessions open now.
    public internal(set) var openSessions = 0
    /// Gauge: closed sessions still remembered now.
    public internal(set) var rememberedSessions = 0
    /// Sessions opened for an interaction with no remembered session (`sessionSeq` 1).
    public internal(set) var sessionsOpened = 0
    /// Sessions opened after a remembered closed one (`sessionSeq` ≥ 2).
    public internal(set) var sessionsReopened = 0
    /// Sessions ended by a `closed` event (not counting early closes).
    public internal(set) var closedByEvent = 0
    /// Sessions ended by the inactivity timeout (not counting early closes).
    public internal(set) var inactivityTimeouts = 0
    /// Sessions ended by the maximum session duration (not counting early closes).
    public internal(set) var maxDurationCloses = 0
    /// Sessions closed early because the open-session cap was reached.
    public internal(set) var evictions = 0
    /// Sessions closed early by `closeAllOpen()`.
    public internal(set) var flushes = 0
    /// Events reported as `.late` (to be dead-lettered with `late_event`).
    public internal(set) var lateEvents = 0
    /// Remembered closed sessions forgotten because their retention ran out.
    public internal(set) var forgotten = 0
    /// Remembered closed sessions forgotten early because the remembered cap was reached.
    public internal(set) var forgottenEarly = 0
    /// Events reported as `.rejected` (bad key length or key storage full).
    public internal(set) var rejectedKeys = 0
    /// Times the key storage was compacted.
    public internal(set) var keyCompactions = 0

    /// Creates zeroed counters.
    public init() {}
}
