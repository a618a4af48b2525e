/// The non-generic engine behind ``SessionStore``: keys, slots, deadlines, offsets, watermark.
///
/// Everything except the caller's per-session state lives here, so the heavy logic is compiled
/// once; `SessionStore<State>` only adds an array of states indexed by `SessionSlot.payload`.
@usableFromInline
internal struct SessionIndex: Sendable {
    /// What `route` decided, before the generic layer creates a state.
    @usableFromInline
    enum Route {
        case existing(slot: Int32, stateIndex: Int32, sessionSeq: UInt32)
        case opened(slot: Int32, stateIndex: Int32, sessionSeq: UInt32)
        case late(closedAt: Int64, sessionSeq: UInt32)
        case rejected
    }

    static let maximumKeyLength = 1024

    let configuration: SessionStoreConfiguration
    let timeout: Int64
    let retention: Int64
    /// The maximum session duration (`Int64.max`: unlimited).
    let maximumDuration: Int64
    let maximumOpen: Int
    let maximumRemembered: Int
    let closeImmediately: Bool
    /// The keyed hash of interaction ids (random secrets per store).
    let keyHash = SessionKeyHash()

    var watermark: PartitionWatermark
    var slots: [SessionSlot] = []
    /// Per slot: position in `openTimers`, `closingTimers` or `forgetTimers` (whichever holds it).
    var timerPositions: [Int32] = []
    var freeSlot: Int32 = -1
    var table = SessionKeyTable()
    var recent = SessionRecentKeys()
    var arena = SessionKeyArena()
    /// Open sessions by deadline, lazily: an event only raises the slot's `time`; the heap entry's
    /// key may lag behind it (never ahead) and is corrected when it reaches the top.
    var openTimers = SessionHeap()
    /// Closing sessions by their `closed` time (exact). Kept apart from `openTimers` because their
    /// deadlines are near the watermark: in a heap of a million 30-minute deadlines each would
    /// sift all the way up, here the heap only holds what closes within the allowed lateness.
    var closingTimers = SessionHeap()
    /// Remembered sessions by forget time (close time + retention).
    var forgetTimers = SessionHeap()
    /// The retained offsets of open, closing and remembered slots, and of `releases`.
    var offsets = SessionRetainedOffsets()
    /// Offsets handed over by reopened sessions, released when the previous session would have
    /// been forgotten (see ``SessionRetainedReleases``).
    var releases = SessionRetainedReleases()
    var freeStates: [Int32] = []
    var stateCount: Int32 = 0
    @usableFromInline var pending: [PendingSessionClose] = []
    var metrics = SessionStoreMetrics()

    init(configuration: SessionStoreConfiguration) {
        self.configuration = configuration
        self.timeout = configuration.inactivityTimeoutMilliseconds
        self.retention = configuration.closedSessionRetentionMilliseconds
        self.maximumDuration = configuration.maximumSessionDurationMilliseconds
        self.maximumOpen = max(1, configuration.maximumOpenSessions)
        self.maximumRemembered = max(0, configuration.maximumRememberedSessions)
        self.closeImmediately = configuration.closedEventPolicy == .immediately
        self.watermark = PartitionWatermark(
            allowedLateness: configuration.allowedLatenessMilliseconds,
            idleGracePeriod: configuration.idleGracePeriodMilliseconds
        )
    }

    // MARK: Routing

    @usableFromInline
    mutating func route(key: UnsafeRawBufferPointer, eventTime: Int64, offset: Int64, arrivedAt: WallInstant) -> Route {
        guard key.count >= 1, key.count <= Self.maximumKeyLength else {
            watermark.noteArrival(at: arrivedAt)
            metrics.rejectedKeys += 1
            return .rejected
        }
        // The watermark moves before the event is applied, so an event that follows a gap longer
        // than the timeout (as seen by the watermark) starts a new session instead of extending one.
        if watermark.observe(eventTime: eventTime, arrivedAt: arrivedAt) { fireTimers() }

        let hash = keyHash(key)
        if let slot = findAndRemember(hash: hash, key: key) {
            let index = Int(slot)
            switch slots[index].status {
            case .open:
                let cap = EventTimeArithmetic.add(slots[index].start, maximumDuration)
                if eventTime < cap || cap == .max {  // `.max`: unlimited (or saturated)
                    let deadline = EventTimeArithmetic.add(eventTime, timeout)
                    if deadline > slots[index].time { slots[index].time = deadline }
                    return .existing(slot: slot, stateIndex: slots[index].payload, sessionSeq: slots[index].sessionSeq)
                }
                // At or after the maximum duration: the session ends there, the event opens the next.
                close(slot, reason: .maxDuration, earlyClose: nil, closeTime: cap)
                if slots[index].status == .remembered { return reopen(slot, eventTime: eventTime, offset: offset) }
            case .closing:
                if eventTime <= slots[index].time {
                    return .existing(slot: slot, stateIndex: slots[index].payload, sessionSeq: slots[index].sessionSeq)
                }
                // An event after the `closed` timestamp: the closing session ends now, the event reopens.
                close(slot, reason: .closed, earlyClose: nil, closeTime: slots[index].time)
                if slots[index].status == .remembered { return reopen(slot, eventTime: eventTime, offset: offset) }
            case .remembered:
                if eventTime <= slots[index].time {
                    metrics.lateEvents += 1
                    return .late(closedAt: slots[index].time, sessionSeq: slots[index].sessionSeq)
                }
                return reopen(slot, eventTime: eventTime, offset: offset)
            case .free:
                preconditionFailure("SessionIndex: hash table points at a free slot")
            }
        }
        return openNew(key: key, hash: hash, eventTime: eventTime, offset: offset)
    }

    private mutating func reopen(_ slot: Int32, eventTime: Int64, offset: Int64) -> Route {
        let index = Int(slot)
        forgetTimers.remove(at: Int(timerPositions[index]), positions: &timerPositions, slots: slots, arena: arena)
        metrics.rememberedSessions -= 1
        // The previous session's first offset stays retained until it would have been forgotten;
        // the new session retains its own.
        releases.insert(releaseAt: EventTimeArithmetic.add(slots[index].time, retention), offset: slots[index].retainedOffset)
        offsets.insert(offset, time: max(eventTime, watermark.value))
        slots[index].retainedOffset = offset
        slots[index].start = eventTime
        slots[index].status = .open  // not in any timer heap while room is made: cannot be picked
        makeRoomForOpenSession()
        let stateIndex = allocateState()
        let sequence = slots[index].sessionSeq == .max ? .max : slots[index].sessionSeq + 1
        slots[index].sessionSeq = sequence
        slots[index].payload = stateIndex
        slots[index].time = EventTimeArithmetic.add(eventTime, timeout)
        openTimers.insert(SessionHeapEntry(key: deadline(of: slots[index]), slot: slot), positions: &timerPositions, slots: slots, arena: arena)
        metrics.openSessions += 1
        metrics.sessionsReopened += 1
        return .opened(slot: slot, stateIndex: stateIndex, sessionSeq: sequence)
    }

    private mutating func openNew(key: UnsafeRawBufferPointer, hash: UInt32, eventTime: Int64, offset: Int64) -> Route {
        makeRoomForOpenSession()
        if arena.needsCompaction {
            arena.compact(slots: &slots, pending: &pending)
            metrics.keyCompactions += 1
        }
        guard let keyOffset = arena.append(key) else {
            metrics.rejectedKeys += 1
            return .rejected
        }
        let slot = allocateSlot()
        let stateIndex = allocateState()
        slots[Int(slot)] = SessionSlot(
            retainedOffset: offset, time: EventTimeArithmetic.add(eventTime, timeout), start: eventTime,
            keyOffset: keyOffset, sessionSeq: 1, payload: stateIndex,
            keyLength: UInt16(key.count), status: .open
        )
        table.insert(hash: hash, slot: slot)
        recent.remember(hash: hash, slot: slot, tableSize: table.buckets.count)
        openTimers.insert(SessionHeapEntry(key: deadline(of: slots[Int(slot)]), slot: slot), positions: &timerPositions, slots: slots, arena: arena)
        offsets.insert(offset, time: max(eventTime, watermark.value))
        metrics.openSessions += 1
        metrics.sessionsOpened += 1
        return .opened(slot: slot, stateIndex: stateIndex, sessionSeq: 1)
    }

    @inline(__always)
    private mutating func findAndRemember(hash: UInt32, key: UnsafeRawBufferPointer) -> Int32? {
        if let slot = recent.find(hash: hash, key: key, slots: slots, arena: arena) { return slot }
        guard let slot = table.find(hash: hash, key: key, slots: slots, arena: arena) else { return nil }
        recent.remember(hash: hash, slot: slot, tableSize: table.buckets.count)
        return slot
    }

    /// An open slot's deadline: last event time + timeout, or its start + the maximum duration
    /// if that is earlier.
    @inline(__always)
    private func deadline(of slot: SessionSlot) -> Int64 {
        min(slot.time, EventTimeArithmetic.add(slot.start, maximumDuration))
    }

    // MARK: Closing

    /// Marks the open session in `slot` as ended by a `closed` event at `eventTime`.
    @usableFromInline
    mutating func noteClosedEvent(slot: Int32, stateIndex: Int32, eventTime: Int64) {
        let index = Int(slot)
        guard index >= 0, index < slots.count, slots[index].isOpen, slots[index].payload == stateIndex else { return }
        if closeImmediately {
            close(slot, reason: .closed, earlyClose: nil, closeTime: eventTime)
            return
        }
        if slots[index].status == .closing {
            guard eventTime < slots[index].time else { return }
            slots[index].time = eventTime
            closingTimers.rekey(at: Int(timerPositions[index]), to: eventTime, positions: &timerPositions, slots: slots, arena: arena)
        } else {
            openTimers.remove(at: Int(timerPositions[index]), positions: &timerPositions, slots: slots, arena: arena)
            slots[index].status = .closing
            slots[index].time = eventTime
            closingTimers.insert(SessionHeapEntry(key: eventTime, slot: slot), positions: &timerPositions, slots: slots, arena: arena)
        }
    }

    /// Ends the open session in `slot`: queues it for draining and remembers it.
    private mutating func close(_ slot: Int32, reason: SessionCloseReason, earlyClose: SessionEarlyClose?, closeTime: Int64) {
        let index = Int(slot)
        if slots[index].status == .closing {
            closingTimers.remove(at: Int(timerPositions[index]), positions: &timerPositions, slots: slots, arena: arena)
        } else {
            openTimers.remove(at: Int(timerPositions[index]), positions: &timerPositions, slots: slots, arena: arena)
        }
        metrics.openSessions -= 1
        switch (earlyClose, reason) {
        case (.evicted?, _): metrics.evictions += 1
        case (.flushed?, _): metrics.flushes += 1
        case (nil, .closed): metrics.closedByEvent += 1
        case (nil, .inactivityTimeout): metrics.inactivityTimeouts += 1
        case (nil, .maxDuration): metrics.maxDurationCloses += 1
        }
        appendGrowingByHalf(&pending, PendingSessionClose(
            closeTime: closeTime, stateIndex: slots[index].payload, sessionSeq: slots[index].sessionSeq,
            keyOffset: slots[index].keyOffset, keyLength: slots[index].keyLength,
            reason: reason, earlyClose: earlyClose
        ))
        slots[index].status = .remembered
        slots[index].time = closeTime
        slots[index].payload = -1
        let forgetAt = EventTimeArithmetic.add(closeTime, retention)
        forgetTimers.insert(SessionHeapEntry(key: forgetAt, slot: slot), positions: &timerPositions, slots: slots, arena: arena)
        metrics.rememberedSessions += 1
        if metrics.rememberedSessions > maximumRemembered, let first = forgetTimers.first {
            forget(first.slot)
            metrics.forgottenEarly += 1
        }
    }

    /// Drops the remembered session in `slot` and frees the slot and its key.
    private mutating func forget(_ slot: Int32) {
        let index = Int(slot)
        forgetTimers.remove(at: Int(timerPositions[index]), positions: &timerPositions, slots: slots, arena: arena)
        offsets.remove(slots[index].retainedOffset)
        let hash = arena.withKey(offset: slots[index].keyOffset, length: slots[index].keyLength) { keyHash($0) }
        table.remove(hash: hash, slot: slot)
        arena.garbage += Int(slots[index].keyLength)
        slots[index] = .vacant
        slots[index].payload = freeSlot
        freeSlot = slot
        metrics.rememberedSessions -= 1
    }

    /// Closes sessions whose deadline the watermark has reached and forgets expired remembered ones.
    mutating func fireTimers() {
        let now = watermark.value
        forgetDue(now)
        var closedAny = false
        while true {
            if let top = openTimers.first, top.key <= now {
                let actual = deadline(of: slots[Int(top.slot)])
                if actual > top.key {
                    openTimers.rekey(at: 0, to: actual, positions: &timerPositions, slots: slots, arena: arena)
                    continue
                }
            }
            let open = openTimers.first.flatMap { $0.key <= now ? $0 : nil }
            let closing = closingTimers.first.flatMap { $0.key <= now ? $0 : nil }
            guard let next = Self.earlier(open, closing, slots, arena) else { break }
            let stored = slots[Int(next.slot)]
            let reason: SessionCloseReason = stored.status == .closing ? .closed : (next.key < stored.time ? .maxDuration : .inactivityTimeout)
            close(next.slot, reason: reason, earlyClose: nil, closeTime: next.key)
            closedAny = true
        }
        // Only a close adds what may already be due (its forget time); without one, the first
        // pass left nothing to do.
        if closedAny { forgetDue(now) }
    }

    /// The entry of `a` and `b` that comes first. Static: a method of the index would copy the
    /// whole index (536 bytes) to call it from a mutating one.
    private static func earlier(
        _ a: SessionHeapEntry?, _ b: SessionHeapEntry?, _ slots: [SessionSlot], _ arena: SessionKeyArena
    ) -> SessionHeapEntry? {
        guard let a else { return b }
        guard let b else { return a }
        return SessionHeap.precedes(b, a, slots, arena) ? b : a
    }

    private mutating func forgetDue(_ now: Int64) {
        while let top = forgetTimers.first, top.key <= now {
            forget(top.slot)
            metrics.forgotten += 1
        }
        while let top = releases.first, top.releaseAt <= now {
            offsets.remove(top.offset)
            releases.removeFirst()
        }
    }

    /// The open or closing session with the earliest deadline (settling the lazy open heap's top).
    private mutating func earliestOpenEntry() -> SessionHeapEntry? {
        while let top = openTimers.first {
            let actual = deadline(of: slots[Int(top.slot)])
            if actual <= top.key { break }
            openTimers.rekey(at: 0, to: actual, positions: &timerPositions, slots: slots, arena: arena)
        }
        return Self.earlier(openTimers.first, closingTimers.first, slots, arena)
    }

    @usableFromInline
    mutating func earliestOpenDeadline() -> Int64? {
        earliestOpenEntry()?.key
    }

    /// Closes the open session with the earliest deadline early; `false` if none is open.
    @usableFromInline
    @discardableResult
    mutating func closeEarliest(_ earlyClose: SessionEarlyClose) -> Bool {
        guard let top = earliestOpenEntry() else { return false }
        let slot = slots[Int(top.slot)]
        if slot.status == .closing {
            close(top.slot, reason: .closed, earlyClose: earlyClose, closeTime: slot.time)
        } else {
            let lastEventTime = EventTimeArithmetic.subtract(slot.time, timeout)
            close(top.slot, reason: .inactivityTimeout, earlyClose: earlyClose, closeTime: max(watermark.value, lastEventTime))
        }
        return true
    }

    private mutating func makeRoomForOpenSession() {
        while metrics.openSessions >= maximumOpen, closeEarliest(.evicted) {}
    }

    @usableFromInline
    mutating func closeAllOpen() {
        while closeEarliest(.flushed) {}
    }

    // MARK: Clock inputs

    @usableFromInline
    mutating func tick(now: WallInstant) {
        if watermark.advanceForIdleness(now: now) { fireTimers() }
    }

    @usableFromInline
    mutating func advanceWatermark(to eventTime: Int64) {
        if watermark.advance(to: eventTime) { fireTimers() }
    }

    @usableFromInline
    mutating func noteArrival(at instant: WallInstant) {
        watermark.noteArrival(at: instant)
    }

    // MARK: Slots and states

    private mutating func allocateSlot() -> Int32 {
        if freeSlot >= 0 {
            let slot = freeSlot
            freeSlot = slots[Int(slot)].payload
            return slot
        }
        appendGrowingByHalf(&slots, .vacant)
        appendGrowingByHalf(&timerPositions, -1)
        return Int32(slots.count - 1)
    }

    /// A free state index; equal to the number of indices handed out so far when a new one is needed.
    private mutating func allocateState() -> Int32 {
        if let reused = freeStates.popLast() { return reused }
        stateCount += 1
        return stateCount - 1
    }

    @usableFromInline
    mutating func releaseState(_ stateIndex: Int32) {
        appendGrowingByHalf(&freeStates, stateIndex)
    }

    @usableFromInline
    func withPendingKey<R>(_ close: PendingSessionClose, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try arena.withKey(offset: close.keyOffset, length: close.keyLength, body)
    }

    @usableFromInline
    mutating func finishDrain() {
        pending.removeAll(keepingCapacity: true)
    }

    // MARK: Queries

    @usableFromInline
    func lookup(key: UnsafeRawBufferPointer) -> SessionLookup? {
        guard key.count >= 1, key.count <= Self.maximumKeyLength,
              let slot = table.find(hash: keyHash(key), key: key, slots: slots, arena: arena) else { return nil }
        let stored = slots[Int(slot)]
        switch stored.status {
        case .open, .closing:
            return .open(SessionHandle(slot: slot, stateIndex: stored.payload), sessionSeq: stored.sessionSeq)
        case .remembered:
            return .closed(sessionSeq: stored.sessionSeq, closedAt: stored.time)
        case .free:
            return nil
        }
    }

    @usableFromInline
    func isLive(_ handle: SessionHandle) -> Bool {
        let index = Int(handle.slot)
        return index >= 0 && index < slots.count && slots[index].isOpen && slots[index].payload == handle.stateIndex
    }

    @usableFromInline
    var minimumRetainedOffset: Int64? { offsets.minimum }

    @usableFromInline
    var oldestRetainedEventTime: Int64? { offsets.minimumTime }

    @usableFromInline
    func footprint(stateStride: Int, stateCapacity: Int) -> SessionStoreFootprint {
        SessionStoreFootprint(
            slots: slots.capacity * MemoryLayout<SessionSlot>.stride + timerPositions.capacity * MemoryLayout<Int32>.stride,
            hashTable: table.buckets.capacity * MemoryLayout<UInt64>.stride + recent.byteCount,
            keyBytes: arena.bytes.capacity,
            timers: (openTimers.entries.capacity + closingTimers.entries.capacity + forgetTimers.entries.capacity) * MemoryLayout<SessionHeapEntry>.stride,
            offsets: offsets.byteCount + releases.byteCount,
            states: stateCapacity * stateStride + freeStates.capacity * MemoryLayout<Int32>.stride,
            pendingCloses: pending.capacity * MemoryLayout<PendingSessionClose>.stride
        )
    }
}
