extension InteractionState {
    // MARK: - Events

    /// Timestamp of the earliest event (nil before the first event). Used in the `summaryId`.
    public var firstEventTimestamp: Int64? {
        nEvents == 0 ? nil : Int64(uint64(at: 0) >> 3)
    }

    /// Timestamp of the latest event (nil before the first event).
    public var lastEventTimestamp: Int64? {
        nEvents == 0 ? nil : Int64(uint64(at: (Int(nEvents) - 1) * Self.eventWords) >> 3)
    }

    /// Whether a `closed` event was applied.
    public var hasClosed: Bool { hasSeen(.closed) }

    /// Whether an event called `name` was applied.
    public func hasSeen(_ name: LifecycleEventName) -> Bool { namesSeen & name.bit != 0 }

    /// Calls `body` with each distinct event in timestamp order (ties: lifecycle order).
    public func forEachEvent(_ body: (LifecycleEventName, Int64) throws -> Void) rethrows {
        for i in 0..<Int(nEvents) {
            let order = uint64(at: i * Self.eventWords)
            try body(LifecycleEventName(rawValue: UInt8(order & 7)) ?? .ready, Int64(order >> 3))
        }
    }

    /// The earliest timestamp of each event name.
    public var eventTimestamps: EventTimestamps {
        var result = EventTimestamps()
        forEachEvent { name, ts in result.setIfAbsent(name, ts) }
        return result
    }

    // MARK: - Metadata

    /// Latest `metadata.proactive`.
    public var proactive: Bool { flagBits & 1 != 0 }
    /// Latest `metadata.prefilled`.
    public var prefilled: Bool { flagBits & 2 != 0 }
    /// Latest `metadata.autoSubmitted`.
    public var autoSubmitted: Bool { flagBits & 4 != 0 }

    /// Number of distinct error codes seen.
    public var errorCodeCount: Int { Int(nErrors) }

    /// Calls `body` with each distinct error code, in bytewise order.
    public func forEachErrorCode(_ body: (SymbolID) throws -> Void) rethrows {
        let base = errorsStart
        for i in 0..<Int(nErrors) { try body(SymbolID(rawValue: words[base + i])) }
    }

    /// Number of distinct form field names seen.
    public var formFieldCount: Int { Int(nForm) }

    /// Calls `body` with each form field name (bytewise order) and its latest value's raw JSON
    /// text (nil unless the state keeps form values). Values are PII: never log them.
    public func forEachFormField(_ body: (SymbolID, SymbolID?) throws -> Void) rethrows {
        let base = formStart
        let width = formWords
        for i in 0..<Int(nForm) {
            let name = SymbolID(rawValue: words[base + i * width])
            try body(name, keepsFormValues ? SymbolID(rawValue: words[base + i * width + 1]) : nil)
        }
    }

    /// Number of distinct attribute keys.
    public var attributeCount: Int { Int(nAttributes) }

    /// Calls `body` with each attribute key (bytewise order) and its latest value.
    public func forEachAttribute(_ body: (SymbolID, SymbolID) throws -> Void) rethrows {
        let base = attributesStart
        for i in 0..<Int(nAttributes) {
            let at = base + i * Self.attributeWords
            try body(SymbolID(rawValue: words[at]), SymbolID(rawValue: words[at + 1]))
        }
    }

    /// The latest value of attribute `key` (e.g. `tenant`), if any.
    public func attributeValue(forKey key: UnsafeRawBufferPointer, symbols: SymbolTable) -> SymbolID? {
        let (found, index) = search(.attributes, key, symbols: symbols)
        return found ? SymbolID(rawValue: words[attributesStart + index * Self.attributeWords + 1]) : nil
    }

    /// The latest value of attribute `key`, if any.
    public func attributeValue(forKey key: StaticString, symbols: SymbolTable) -> SymbolID? {
        attributeValue(forKey: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount), symbols: symbols)
    }

    // MARK: - Derived summary fields

    /// The furthest stage reached (see ``Outcome``).
    public var outcome: Outcome {
        if hasSeen(.completed) { return .completed }
        if hasSeen(.submitted) { return nErrors > 0 ? .failed : .submittedUnconfirmed }
        if hasSeen(.started) { return .abandonedForm }
        if hasSeen(.opened) || hasSeen(.cancelled) { return .cancelledBeforeStart }
        return .notOpened
    }

    /// Metadata `elapsed` when given, else `started` → `completed` (or `cancelled`).
    public var elapsedMs: Int64? {
        if elapsedSource != Self.noEvent { return elapsedValue }
        let t = eventTimestamps
        guard let start = t[.started], let end = t[.completed] ?? t[.cancelled] else { return nil }
        return end - start
    }

    /// `opened` → `started`.
    public var timeToStartMs: Int64? { Self.span(eventTimestamps, .opened, .started) }

    /// `started` → `submitted`.
    public var timeToSubmitMs: Int64? { Self.span(eventTimestamps, .started, .submitted) }

    /// `opened` → `closed`.
    public var openDurationMs: Int64? { Self.span(eventTimestamps, .opened, .closed) }

    static func span(_ t: EventTimestamps, _ from: LifecycleEventName, _ to: LifecycleEventName) -> Int64? {
        guard let a = t[from], let b = t[to] else { return nil }
        return b - a
    }

    /// The session's anomalies (see ``AnomalySet``). `sessionEnded` adds `missingClosed` when
    /// no `closed` event was seen; pass false for the live view of an open session.
    public func anomalies(sessionEnded: Bool) -> AnomalySet {
        var result = recordedAnomalies
        if hasInvalidTransition { result.insert(.invalidTransition) }
        if sessionEnded && !hasClosed { result.insert(.missingClosed) }
        if hasMetadataMismatch { result.insert(.metadataMismatch) }
        return result
    }

    /// Lifecycle violations of the timestamp-ordered events (see ``AnomalySet``).
    var hasInvalidTransition: Bool {
        var maxStage = -1
        var afterClosed = false
        var invalid = false
        forEachEvent { name, _ in
            if afterClosed || name.stage < maxStage { invalid = true }
            maxStage = max(maxStage, name.stage)
            if name == .closed { afterClosed = true }
        }
        if invalid { return true }
        if hasSeen(.cancelled) && hasSeen(.completed) { return true }
        if hasSeen(.completed) && !hasSeen(.submitted) { return true }
        if hasSeen(.submitted) && !hasSeen(.started) && !autoSubmitted { return true }
        let progressed = hasSeen(.started) || hasSeen(.submitted) || hasSeen(.cancelled) || hasSeen(.completed)
        return progressed && !hasSeen(.opened)
    }

    /// Metadata timestamps that disagree with each other or with the events' own timestamps.
    var hasMetadataMismatch: Bool {
        if metadataConflict != 0 { return true }
        guard metadataPresent != 0 else { return false }
        let t = eventTimestamps
        for slot in 0..<5 where metadataPresent & (1 << slot) != 0 {
            if let own = t[Self.metadataName(slot)], UInt32(truncatingIfNeeded: own) != metadataTimestamp(slot) {
                return true
            }
        }
        return false
    }
}
