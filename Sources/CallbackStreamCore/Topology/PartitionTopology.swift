/// The whole processing of one input partition, as a pure state machine:
/// decode → session store → interaction state → summary encoder, and closed sessions →
/// tumbling windows → stats and alerts.
///
/// Like Kafka Streams' topology, it separates *what* happens to a record from *running* it: the
/// caller (the processor's poll loop, or a test driver) feeds records and two clock inputs —
/// record arrival (event time moves the watermark) and wall-clock ticks (idle partitions) — and
/// receives the outputs through an `emit` callback, synchronously, in a deterministic order.
/// No I/O, no clock reads, no locks; the same inputs always give the same outputs.
///
/// A class so that the store's drain callbacks can update the other parts (symbols, windows,
/// buffers) of the same topology: exclusive access is then checked per stored property.
public final class PartitionTopology {
    public let partition: Int32
    public let configuration: TopologyConfiguration

    private let decoder: LifecycleEventDecoder
    private var store: SessionStore<InteractionState>
    private var symbols = SymbolTable(capacity: 1024)
    private var windows: WindowAggregator
    private let summaryEncoder: SummaryEncoder
    private let statsEncoder = StatsRecordEncoder()
    private let alertEncoder = AlertRecordEncoder()
    private var buffer = OutputBuffer(capacity: 4096)
    private var idBuffer = OutputBuffer(capacity: 256)
    private var recordBytes: [UInt8] = []
    private var keyBytes: [UInt8] = []
    private let outcomeIndex: [Outcome: Int]

    /// Sessions that never reached `opened` (counted, published only when configured).
    public private(set) var notOpenedSessions = 0

    public init(partition: Int32, configuration: TopologyConfiguration) {
        self.partition = partition
        self.configuration = configuration
        decoder = LifecycleEventDecoder(limits: DecoderLimits(maxRecordBytes: configuration.maxRecordBytes))
        store = SessionStore(configuration: SessionStoreConfiguration(
            inactivityTimeout: .milliseconds(configuration.inactivityTimeoutMs),
            allowedLateness: .milliseconds(configuration.allowedLatenessMs),
            idleGracePeriod: .milliseconds(configuration.idleAdvanceAfterMs),
            // Remember closed sessions at least until the window they contributed to is emitted,
            // so that the commit offset also covers still-open windows.
            closedSessionRetention: .milliseconds(max(configuration.inactivityTimeoutMs, 2 * configuration.windowMs + configuration.allowedLatenessMs)),
            maximumOpenSessions: configuration.maxOpenSessions,
            maximumRememberedSessions: configuration.maxRememberedSessions))
        windows = WindowAggregator(configuration: WindowConfiguration(
            windowSize: .milliseconds(configuration.windowMs),
            errorRateThreshold: configuration.alertThreshold,
            minimumSubmissions: configuration.alertMinVolume,
            partition: partition))
        summaryEncoder = SummaryEncoder(includeFormValues: configuration.includeFormValues)
        var indices: [Outcome: Int] = [:]
        for outcome in Outcome.allCases {
            indices[outcome] = WindowConfiguration.contractOutcomeLabels.firstIndex(of: outcome.rawValue) ?? 0
        }
        outcomeIndex = indices
    }

    // MARK: - Inputs

    /// Processes one input record.
    ///
    /// - Parameters:
    ///   - key: the record key (the interaction id), if any.
    ///   - value: the record value, if any.
    ///   - offset: its input offset (kept as the retained offset of a session it opens).
    ///   - arrivalMs: wall-clock arrival time in ms (only for idle advancement).
    ///   - emit: receives the outputs this record causes, in order.
    public func process(
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, offset: Int64, arrivalMs: Int64,
        emit: (TopologyOutput) -> Void
    ) {
        let arrival = WallInstant(milliseconds: arrivalMs)
        guard let value else {
            store.noteArrival(at: arrival)
            deadLetter(key: key, value: UnsafeRawBufferPointer(start: nil, count: 0), code: .invalidJSON, detail: "record has no value", offset: offset, emit: emit)
            return
        }
        switch decoder.decode(key: key, value: value) {
        case .rejected(let rejection):
            store.noteArrival(at: arrival)
            deadLetter(key: key, value: value, code: rejection.code, detail: rejection.detail, offset: offset, emit: emit)
        case .event(let event):
            let keepFormValues = configuration.includeFormValues
            let route = store.route(
                interactionId: event.interactionId.bytes, eventTime: event.timestamp, offset: offset, arrivedAt: arrival
            ) { _ in InteractionState(keepFormValues: keepFormValues) }
            switch route {
            case .existing(let handle, _), .opened(let handle, _):
                let result = store.withState(handle) { $0.apply(event, symbols: &symbols) }
                switch result {
                case .applied:
                    if event.name == .closed { store.noteClosedEvent(handle, eventTime: event.timestamp) }
                case .duplicate:
                    break
                case .limitExceeded:
                    deadLetter(key: key, value: value, code: .tooLarge, detail: "the session has reached its size limit (events or distinct values)", offset: offset, emit: emit)
                }
            case .late(let closedAt, let sessionSeq):
                deadLetter(
                    key: key, value: value, code: .lateEvent,
                    detail: "event time \(event.timestamp) is not after the close of session \(sessionSeq) at \(closedAt)",
                    offset: offset, emit: emit)
            case .rejected:
                deadLetter(key: key, value: value, code: .badType, detail: "interactionId is empty or longer than \(SessionStore<InteractionState>.maximumKeyLength) bytes", offset: offset, emit: emit)
            }
        }
        drain(emit: emit)
    }

    /// A wall-clock tick: advances an idle partition's watermark and emits what closes.
    public func tick(nowMs: Int64, emit: (TopologyOutput) -> Void) {
        store.tick(now: WallInstant(milliseconds: nowMs))
        drain(emit: emit)
    }

    /// Raises the watermark (e.g. restored from commit metadata) and emits what closes.
    public func advanceWatermark(to watermark: Int64, emit: (TopologyOutput) -> Void) {
        guard watermark != Int64.min else { return }
        store.advanceWatermark(to: watermark)
        drain(emit: emit)
    }

    /// Closes the open session with the earliest deadline (process-wide cap) and emits its summary.
    public func evictEarliest(emit: (TopologyOutput) -> Void) {
        store.evictEarliest()
        drain(emit: emit)
    }

    // MARK: - State

    /// The partition's watermark in ms, or `Int64.min` before any event.
    public var watermark: Int64 { store.watermark ?? Int64.min }
    /// The smallest input offset still needed to rebuild open (and remembered) sessions.
    public var minimumRetainedOffset: Int64? { store.minimumRetainedOffset }
    public var openSessionCount: Int { store.openSessionCount }
    /// The earliest inactivity deadline among open sessions (for a process-wide cap).
    public func earliestDeadline() -> Int64? { store.earliestOpenDeadline() }
    /// Counters of the session store.
    public var sessionMetrics: SessionStoreMetrics { store.metrics }
    /// Memory reserved by the session store's buffers (not counting the states' own heap blocks).
    public var sessionStoreFootprint: SessionStoreFootprint { store.footprint }

    /// The live state of an open session as JSON (never with form values unless configured).
    public func liveSessionJSON(interactionID: String) -> String? {
        guard case let .open(handle, sessionSeq)? = store.lookup(interactionId: interactionID) else { return nil }
        var out = OutputBuffer(capacity: 1024)
        var id = interactionID
        id.withUTF8 { bytes in
            summaryEncoder.encodeLiveSession(
                store[handle], interactionId: UnsafeRawBufferPointer(bytes), sessionSeq: Int(sessionSeq), symbols: symbols, into: &out)
        }
        return out.string
    }

    // MARK: - Outputs

    private func deadLetter(
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, code: RejectionCode, detail: String, offset: Int64,
        emit: (TopologyOutput) -> Void
    ) {
        emit(TopologyOutput(key: key, value: value, info: .deadLetter(code: code, detail: detail, sourceOffset: offset), evicted: false))
    }

    private func drain(emit: (TopologyOutput) -> Void) {
        store.drainClosed { closed, interactionId in
            summarize(closed, interactionId: interactionId, emit: emit)
        }
        if let watermark = store.watermark { windows.advance(to: watermark) }
        windows.drainOutputs { output in
            publish(output, emit: emit)
        }
    }

    private func summarize(_ closed: ClosedSession<InteractionState>, interactionId: UnsafeRawBufferPointer, emit: (TopologyOutput) -> Void) {
        var state = closed.state
        let outcome = state.outcome
        let closeReason: CloseReason = closed.reason == .closed ? .closed : .inactivityTimeout
        let evicted = closed.earlyClose == .evicted
        var stages: FunnelStages = []
        if state.hasSeen(.opened) { stages.insert(.opened) }
        if state.hasSeen(.started) { stages.insert(.started) }
        if state.hasSeen(.submitted) { stages.insert(.submitted) }
        if state.hasSeen(.completed) { stages.insert(.completed) }

        let published = outcome != .notOpened || configuration.publishNotOpened
        buffer.removeAll()
        idBuffer.removeAll()
        if published {
            summaryEncoder.encodeSummary(
                state, interactionId: interactionId, sessionSeq: Int(closed.sessionSeq), closeReason: closeReason,
                extraAnomalies: evicted ? .evicted : [], symbols: symbols, into: &buffer)
            SummaryEncoder.appendSummaryID(
                interactionId: interactionId, sessionSeq: Int(closed.sessionSeq),
                firstEventTimestamp: state.firstEventTimestamp ?? 0, into: &idBuffer)
        } else {
            notOpenedSessions += 1
        }
        let summaryID = idBuffer.string
        buffer.withUnsafeBytes { value in
            emit(TopologyOutput(
                key: interactionId, value: value,
                info: .summary(summaryID: summaryID, outcome: outcome, closeReason: closeReason, stages: stages, published: published),
                evicted: evicted))
        }

        var errorCodes: [String] = []
        state.forEachErrorCode { errorCodes.append(symbols.string($0)) }
        let tenant = state.attributeValue(forKey: "tenant", symbols: symbols).map { symbols.string($0) }
        windows.add(SessionContribution(
            closeTime: closed.closeTime, tenant: tenant, outcome: outcomeIndex[outcome] ?? 0,
            submitted: state.hasSeen(.submitted), errorCodes: errorCodes, elapsedMilliseconds: state.elapsedMs,
            closeReason: closed.reason, earlyClose: closed.earlyClose))
        state.releaseSymbols(in: &symbols)
    }

    private func publish(_ output: WindowOutput, emit: (TopologyOutput) -> Void) {
        recordBytes.removeAll(keepingCapacity: true)
        keyBytes.removeAll(keepingCapacity: true)
        let info: TopologyOutput.Info
        switch output {
        case .stats(let record):
            statsEncoder.encode(record, into: &recordBytes)
            keyBytes.append(contentsOf: (record.tenant ?? "").utf8)
            let ratio = record.submissions > 0 ? Double(record.submissionsWithErrors) / Double(record.submissions) : nil
            info = .stats(errorRatio: ratio, elapsedP50: record.elapsed.p50, elapsedP95: record.elapsed.p95, elapsedP99: record.elapsed.p99)
        case .alert(let alert):
            alertEncoder.encode(alert, into: &recordBytes)
            keyBytes.append(contentsOf: (alert.tenant ?? "").utf8)
            info = .alert
        }
        keyBytes.withUnsafeBytes { key in
            recordBytes.withUnsafeBytes { value in
                emit(TopologyOutput(key: key, value: value, info: info, evicted: false))
            }
        }
    }
}
