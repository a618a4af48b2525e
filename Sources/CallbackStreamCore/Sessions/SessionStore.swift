/// The open sessions of one input partition, keyed by interaction id, with event-time timeouts.
///
/// A pure state machine: the caller feeds records (``route(interactionId:eventTime:offset:arrivedAt:makeState:)``)
/// and clock ticks (``tick(now:)``), applies each event to the session state the store hands back,
/// and drains the sessions the store closed (``drainClosed(_:)``). No I/O and no clock reads.
///
/// ## Rules (all times are event-time milliseconds unless noted)
///
/// - **Watermark**: see ``PartitionWatermark``. It is raised by a record *before* that record is
///   routed, and sessions are closed whenever it moves.
/// - **Timeout**: a session's deadline is its largest event time + `inactivityTimeout`; it closes
///   with reason `inactivityTimeout` and close time = deadline once `watermark ≥ deadline`.
/// - **Maximum duration** (``SessionStoreConfiguration/maximumSessionDuration``, `D`): a session
///   opened by an event at time `s` has the deadline `min(largest event time + timeout, s + D)`;
///   when `s + D` comes first it closes with reason `maxDuration` and close time `s + D`. An event
///   with timestamp `≥ s + D` for the open session closes it the same way first, and then opens
///   `sessionSeq + 1` (a closing session never meets this: its `closed` time is before `s + D`).
/// - **`closed` events**: ``noteClosedEvent(_:eventTime:)`` makes the session *closing* at the
///   `closed` timestamp `c` (with policy `atWatermark`, the default): events with timestamp `≤ c`
///   still join it; it closes (reason `closed`, close time `c`) once `watermark ≥ c`, or at once
///   when an event with timestamp `> c` arrives for the interaction (that event then reopens).
///   With policy `immediately` it closes when reported.
/// - **Reopen and late events**: after a close the interaction is *remembered* (sequence, close
///   time, retained offset). An event with timestamp `>` the close time opens `sessionSeq + 1`;
///   one with timestamp `≤` the close time is **late** (so a duplicate of the `closed` event that
///   ended a session is late rather than opening a bogus session). Remembered sessions are
///   forgotten once `watermark ≥ close time + closedSessionRetention`; after that the next event
///   opens `sessionSeq` 1 again.
/// - **Caps**: opening a session when `maximumOpenSessions` are open first closes the open session
///   with the earliest deadline (``SessionEarlyClose/evicted``, close time `max(watermark, its last
///   event time)`, or its `closed` time if closing). Remembering more than
///   `maximumRememberedSessions` forgets the one due first.
/// - **Order**: closes are queued in the order they happen; sessions closing in the same watermark
///   step are ordered by (deadline, interaction id bytes), which is independent of history, so the
///   same records and ticks always yield the same closes in the same order.
/// - **Commit offsets**: ``minimumRetainedOffset`` is the smallest first offset (the offset of
///   the record that opened it) of any open or remembered session, and of any session that was
///   reopened less than `closedSessionRetention` (of watermark) after its close — a reopen keeps
///   the previous session's first offset only until the watermark reaches the time at which that
///   session would have been forgotten (close time + retention). So committing below it lets a
///   replay rebuild open sessions and remembered closes, and a chain's `sessionSeq` numbers while
///   its previous session is within the retention; and no session, reopen chain (a hot key) or
///   remembered session holds it longer: with `e` the event time of the retained record (raised
///   to the watermark at which it was processed), `watermark < e + D + closedSessionRetention`
///   at all times (``oldestRetainedEventTime``).
///
/// ## Cost
///
/// Routing an event to an open session hashes the key and probes the table (no allocation);
/// deadline extensions are lazy (O(1)), closes and evictions O(log n). About 65–90 bytes of store
/// overhead per open session plus its key bytes and `State` (see `BENCHMARKS.md`).
public struct SessionStore<State> {
    @usableFromInline internal var index: SessionIndex
    @usableFromInline internal var states: [State?] = []

    /// The largest interaction id, in bytes, the store accepts (256 characters of up to 4 UTF-8 bytes).
    public static var maximumKeyLength: Int { SessionIndex.maximumKeyLength }

    /// Creates an empty store.
    public init(configuration: SessionStoreConfiguration = SessionStoreConfiguration()) {
        self.index = SessionIndex(configuration: configuration)
    }

    /// The configuration the store was created with.
    public var configuration: SessionStoreConfiguration { index.configuration }

    /// The partition's watermark (`nil` before the first event).
    public var watermark: Int64? { index.watermark.current }

    /// The watermark's full state (maximum event time, last arrival).
    public var watermarkState: PartitionWatermark { index.watermark }

    /// Counters and gauges.
    public var metrics: SessionStoreMetrics { index.metrics }

    /// Sessions open now.
    public var openSessionCount: Int { index.metrics.openSessions }

    /// Closed sessions still remembered now.
    public var rememberedSessionCount: Int { index.metrics.rememberedSessions }

    /// Closed sessions waiting for ``drainClosed(_:)``.
    public var pendingCloseCount: Int { index.pending.count }

    /// The smallest input offset still needed to rebuild this store's open and remembered sessions
    /// by replay, or `nil` when it holds none. Commit at most this offset. O(1).
    public var minimumRetainedOffset: Int64? { index.minimumRetainedOffset }

    /// The event time of the record at ``minimumRetainedOffset`` — raised to the watermark at
    /// which it was processed (a backfilled record counts from when it was read) — or a lower
    /// bound of it: the smallest such time among the records retained since then whose offsets
    /// share its block of 64 offsets. `nil` when nothing is retained. O(1).
    /// `watermark − oldestRetainedEventTime` is how far, in event time, a commit at
    /// ``minimumRetainedOffset`` is behind; it stays below the maximum session duration +
    /// the closed-session retention (plus the spread of event times within those 64 records).
    public var oldestRetainedEventTime: Int64? { index.oldestRetainedEventTime }

    /// Memory reserved by the store, computed from buffer capacities.
    public var footprint: SessionStoreFootprint {
        index.footprint(stateStride: MemoryLayout<State?>.stride, stateCapacity: states.capacity)
    }

    /// Routes one event to its session.
    ///
    /// First raises the watermark with `eventTime` (closing sessions whose deadline it reaches),
    /// then finds the interaction's open session, reopens a remembered one, opens a new one, or
    /// reports the event as late. Opening may evict (see the type's rules). Finding an open
    /// session never allocates; the store's buffers only grow (amortised) when sessions are
    /// opened or closed.
    ///
    /// - Parameters:
    ///   - interactionId: the record key / `interactionId` as raw bytes (1...``maximumKeyLength``).
    ///   - eventTime: the event's timestamp, milliseconds since the epoch.
    ///   - offset: the record's input offset (becomes the retained offset of a new session chain).
    ///   - arrivedAt: when the record arrived, on the injected wall clock (for idle advancement).
    ///   - makeState: creates the state of a newly opened session; receives its `sessionSeq`.
    @inlinable
    public mutating func route(
        interactionId: UnsafeRawBufferPointer,
        eventTime: Int64,
        offset: Int64,
        arrivedAt: WallInstant,
        makeState: (_ sessionSeq: UInt32) throws -> State
    ) rethrows -> SessionRoute {
        switch index.route(key: interactionId, eventTime: eventTime, offset: offset, arrivedAt: arrivedAt) {
        case let .existing(slot, stateIndex, sequence):
            return .existing(SessionHandle(slot: slot, stateIndex: stateIndex), sessionSeq: sequence)
        case let .opened(slot, stateIndex, sequence):
            let state = try makeState(sequence)
            if Int(stateIndex) == states.count {
                appendGrowingByHalf(&states, state)
            } else {
                states[Int(stateIndex)] = state
            }
            return .opened(SessionHandle(slot: slot, stateIndex: stateIndex), sessionSeq: sequence)
        case let .late(closedAt, sequence):
            return .late(closedAt: closedAt, sessionSeq: sequence)
        case .rejected:
            return .rejected
        }
    }

    /// Convenience for ``route(interactionId:eventTime:offset:arrivedAt:makeState:)`` with a `String` key.
    @inlinable
    public mutating func route(
        interactionId: String,
        eventTime: Int64,
        offset: Int64,
        arrivedAt: WallInstant,
        makeState: (_ sessionSeq: UInt32) throws -> State
    ) rethrows -> SessionRoute {
        var key = interactionId
        return try key.withUTF8 { bytes in
            try route(interactionId: UnsafeRawBufferPointer(bytes), eventTime: eventTime, offset: offset, arrivedAt: arrivedAt, makeState: makeState)
        }
    }

    /// The state of an open session (read).
    @inlinable
    public subscript(handle: SessionHandle) -> State {
        states[Int(handle.stateIndex)]!
    }

    /// Mutates the state of an open session in place.
    @inlinable
    public mutating func withState<R>(_ handle: SessionHandle, _ body: (inout State) throws -> R) rethrows -> R {
        try body(&states[Int(handle.stateIndex)]!)
    }

    /// Reports that the event just applied to `handle`'s session was a `closed` event with
    /// timestamp `eventTime` (see ``SessionStoreConfiguration/ClosedEventPolicy``).
    /// Ignored if the handle no longer refers to an open session.
    @inlinable
    public mutating func noteClosedEvent(_ handle: SessionHandle, eventTime: Int64) {
        index.noteClosedEvent(slot: handle.slot, stateIndex: handle.stateIndex, eventTime: eventTime)
    }

    /// Reports a record that arrived without being routed (for example one that was dead-lettered):
    /// it only resets the partition's idle timer.
    @inlinable
    public mutating func noteArrival(at instant: WallInstant) {
        index.noteArrival(at: instant)
    }

    /// Advances the watermark of an idle partition with the wall clock (see ``PartitionWatermark``)
    /// and closes what it reaches. Cheap when nothing changes; call it every loop turn.
    @inlinable
    public mutating func tick(now: WallInstant) {
        index.tick(now: now)
    }

    /// Raises the watermark to `eventTime` (if later) and closes what it reaches.
    @inlinable
    public mutating func advanceWatermark(to eventTime: Int64) {
        index.advanceWatermark(to: eventTime)
    }

    /// The earliest deadline among open sessions, for picking which of several stores to evict
    /// from under a process-wide cap. Amortised O(log n) (it settles lazily updated deadlines).
    @inlinable
    public mutating func earliestOpenDeadline() -> Int64? {
        index.earliestOpenDeadline()
    }

    /// Closes the open session with the earliest deadline as ``SessionEarlyClose/evicted``
    /// (for a process-wide cap). Returns `false` when no session is open.
    @inlinable
    @discardableResult
    public mutating func evictEarliest() -> Bool {
        index.closeEarliest(.evicted)
    }

    /// Closes every open session as ``SessionEarlyClose/flushed``, in deadline order (shutdown).
    @inlinable
    public mutating func closeAllOpen() {
        index.closeAllOpen()
    }

    /// Forgets everything (open, remembered, pending closes, watermark), keeping the configuration.
    public mutating func removeAll() {
        index = SessionIndex(configuration: index.configuration)
        states = []
    }

    /// Hands every queued close to `body` in order, moving each state out of the store, then
    /// clears the queue. `interactionId` is valid only during the call. If `body` throws, the
    /// closes not yet handed over are discarded.
    @inlinable
    public mutating func drainClosed(_ body: (_ closed: ClosedSession<State>, _ interactionId: UnsafeRawBufferPointer) throws -> Void) rethrows {
        var position = 0
        defer {
            while position < index.pending.count {
                let discarded = index.pending[position].stateIndex
                position += 1
                states[Int(discarded)] = nil
                index.releaseState(discarded)
            }
            index.finishDrain()
        }
        while position < index.pending.count {
            let pending = index.pending[position]
            position += 1
            let state = states[Int(pending.stateIndex)].take()!
            index.releaseState(pending.stateIndex)
            let closed = ClosedSession(
                state: state, sessionSeq: pending.sessionSeq, reason: pending.reason,
                earlyClose: pending.earlyClose, closeTime: pending.closeTime
            )
            try index.withPendingKey(pending) { key in try body(closed, key) }
        }
    }

    /// What the store knows about an interaction: an open session's handle, or a remembered close.
    @inlinable
    public func lookup(interactionId: UnsafeRawBufferPointer) -> SessionLookup? {
        index.lookup(key: interactionId)
    }

    /// ``lookup(interactionId:)-(UnsafeRawBufferPointer)`` with a `String` key.
    @inlinable
    public func lookup(interactionId: String) -> SessionLookup? {
        var key = interactionId
        return key.withUTF8 { index.lookup(key: UnsafeRawBufferPointer($0)) }
    }
}

extension SessionStore: Sendable where State: Sendable {}
