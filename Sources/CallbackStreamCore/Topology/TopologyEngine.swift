/// The mutable state and per-record logic of one ``PartitionTopology``, as a struct.
///
/// The topology class holds one of these and reaches it through a single access per call, so
/// the per-event path pays Swift's dynamic exclusivity check once instead of once per stored
/// property touched (a class's stored properties are checked at run time, a struct's inside a
/// mutating method statically). The session store and the rest (``TopologySink``) are separate
/// stored properties, so the store's drain callback may update the sink while the store is
/// being drained.
struct TopologyEngine {
    let configuration: TopologyConfiguration
    let decoder: LifecycleEventDecoder
    var store: SessionStore<InteractionState>
    var sink: TopologySink

    init(partition: Int32, configuration: TopologyConfiguration) {
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
        sink = TopologySink(partition: partition, configuration: configuration)
    }

    // MARK: - Inputs

    /// See ``PartitionTopology/process(key:value:offset:arrivalMs:emit:)``.
    mutating func process(
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, offset: Int64, arrivalMs: Int64,
        emit: (TopologyOutput) -> Void
    ) {
        let arrival = WallInstant(milliseconds: arrivalMs)
        guard let value else {
            store.noteArrival(at: arrival)
            Self.deadLetter(key: key, value: UnsafeRawBufferPointer(start: nil, count: 0), code: .invalidJSON, detail: "record has no value", offset: offset, emit: emit)
            return
        }
        switch decoder.decode(key: key, value: value) {
        case .rejected(let rejection):
            store.noteArrival(at: arrival)
            Self.deadLetter(key: key, value: value, code: rejection.code, detail: rejection.detail, offset: offset, emit: emit)
        case .event(let event):
            let keepFormValues = configuration.includeFormValues
            let route = store.route(
                interactionId: event.interactionId.bytes, eventTime: event.timestamp, offset: offset, arrivedAt: arrival
            ) { _ in InteractionState(keepFormValues: keepFormValues) }
            switch route {
            case .existing(let handle, _), .opened(let handle, _):
                let result = store.withState(handle) { $0.apply(event, symbols: &sink.symbols) }
                switch result {
                case .applied:
                    if event.name == .closed { store.noteClosedEvent(handle, eventTime: event.timestamp) }
                case .duplicate:
                    break
                case .limitExceeded:
                    Self.deadLetter(key: key, value: value, code: .tooLarge, detail: "the session has reached its size limit (events or distinct values)", offset: offset, emit: emit)
                }
            case .late(let closedAt, let sessionSeq):
                Self.deadLetter(
                    key: key, value: value, code: .lateEvent,
                    detail: "event time \(event.timestamp) is not after the close of session \(sessionSeq) at \(closedAt)",
                    offset: offset, emit: emit)
            case .rejected:
                Self.deadLetter(key: key, value: value, code: .badType, detail: "interactionId is empty or longer than \(SessionStore<InteractionState>.maximumKeyLength) bytes", offset: offset, emit: emit)
            }
        }
        drain(emit: emit)
    }

    mutating func tick(nowMs: Int64, emit: (TopologyOutput) -> Void) {
        store.tick(now: WallInstant(milliseconds: nowMs))
        drain(emit: emit)
    }

    mutating func advanceWatermark(to watermark: Int64, emit: (TopologyOutput) -> Void) {
        guard watermark != Int64.min else { return }
        store.advanceWatermark(to: watermark)
        drain(emit: emit)
    }

    mutating func evictEarliest(emit: (TopologyOutput) -> Void) {
        store.evictEarliest()
        drain(emit: emit)
    }

    // MARK: - Outputs

    static func deadLetter(
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, code: RejectionCode, detail: String, offset: Int64,
        emit: (TopologyOutput) -> Void
    ) {
        emit(TopologyOutput(key: key, value: value, info: .deadLetter(code: code, detail: detail, sourceOffset: offset), evicted: false))
    }

    /// Summarizes what the store closed, then emits the windows the watermark completed.
    mutating func drain(emit: (TopologyOutput) -> Void) {
        if store.pendingCloseCount > 0 {
            store.drainClosed { closed, interactionId in
                sink.summarize(closed, interactionId: interactionId, emit: emit)
            }
        }
        if let watermark = store.watermark { sink.advanceWindows(to: watermark, emit: emit) }
    }
}
