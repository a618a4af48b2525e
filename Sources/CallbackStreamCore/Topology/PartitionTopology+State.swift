extension PartitionTopology {
    /// The mutable state and per-record logic of a ``PartitionTopology``, as a struct: the session
    /// store and its ``Sink``.
    ///
    /// The topology class holds one of these and reaches it through a single access per call, so
    /// the per-event path pays Swift's dynamic exclusivity check once instead of once per stored
    /// property touched (a class's stored properties are checked at run time, a struct's inside a
    /// mutating method statically). The session store and the rest (``PartitionTopology/Sink``) are separate
    /// stored properties, so the store's drain callback may update the sink while the store is
    /// being drained.
    struct State {
        let configuration: TopologyConfiguration
        let decoder: LifecycleEventDecoder
        /// The clock skew allowed ahead of a record's timestamp (at least 0).
        let maxClockSkew: Int64
        /// Dead letters larger than this many bytes (the decoder's effective record limit) carry a
        /// prefix of at most ``deadLetterPrefixBytes`` bytes, with the original size and hash.
        let deadLetterLimit: Int
        var store: SessionStore<InteractionState>
        var sink: Sink

        init(partition: Int32, configuration: TopologyConfiguration) {
            self.configuration = configuration
            decoder = LifecycleEventDecoder(limits: DecoderLimits(maxRecordBytes: configuration.maxRecordBytes))
            store = SessionStore(configuration: SessionStoreConfiguration(
                inactivityTimeout: .milliseconds(configuration.inactivityTimeoutMs),
                allowedLateness: .milliseconds(configuration.allowedLatenessMs),
                idleGracePeriod: .milliseconds(configuration.idleAdvanceAfterMs),
                // Remember closed sessions at least until the window they contributed to is emitted,
                // so that the commit offset also covers still-open windows.
                closedSessionRetention: .milliseconds(configuration.closedSessionRetentionMs),
                maximumOpenSessions: configuration.maxOpenSessions,
                maximumRememberedSessions: configuration.maxRememberedSessions,
                maximumSessionDuration: .milliseconds(configuration.maxSessionDurationMs)))
            sink = Sink(partition: partition, configuration: configuration)
            maxClockSkew = max(0, configuration.maxClockSkewMs)
            deadLetterLimit = decoder.limits.maxRecordBytes
        }

        /// The largest dead-letter value: a bigger record is cut to this prefix (contract §1).
        static let deadLetterPrefixBytes = 4096

        // MARK: - Inputs

        /// See ``PartitionTopology/process(key:value:offset:recordTimestampMs:arrivalMs:emit:)``.
        ///
        /// Kept out of line: `scripts/perf-profile` and the perf gate attribute the session phase
        /// from this function's inclusive cost.
        @inline(never)
        mutating func process(
            key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, offset: Int64, recordTimestampMs: Int64? = nil,
            arrivalMs: Int64, emit: (TopologyOutput) -> Void
        ) {
            let arrival = WallInstant(milliseconds: arrivalMs)
            guard let value else {
                store.noteArrival(at: arrival)
                deadLetter(key: key, value: UnsafeRawBufferPointer(start: nil, count: 0), code: .invalidJSON, detail: "record has no value", offset: offset, emit: emit)
                return
            }
            // The event is returned, not wrapped in a `DecodeResult` (binding it out of the enum
            // copied all of it twice), and bound to a constant (a `var` is copied when passed on).
            let event: LifecycleEvent
            do {
                event = try decoder.decodeEvent(key: key, value: value)
            } catch {
                store.noteArrival(at: arrival)
                deadLetter(key: key, value: value, code: error.code, detail: error.detail, offset: offset, emit: emit)
                drain(emit: emit)
                return
            }
            guard process(event, key: key, value: value, offset: offset, recordTimestampMs: recordTimestampMs, arrival: arrival, emit: emit)
            else { return }
            drain(emit: emit)
        }

        /// The part of ``process(key:value:offset:recordTimestampMs:arrivalMs:emit:)`` for a decoded
        /// event (a method of its own so that the event, bound once, is passed on by reference
        /// rather than copied again: it is 168 bytes). Returns false for an event that only counts
        /// as an arrival (then nothing is drained).
        private mutating func process(
            _ event: LifecycleEvent, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, offset: Int64,
            recordTimestampMs: Int64?, arrival: WallInstant, emit: (TopologyOutput) -> Void
        ) -> Bool {
            // Contract §1: an event too far ahead of its record's timestamp is not trusted. Decided
            // by the record alone (a replay decides the same); it only counts as an arrival, so it
            // neither moves the watermark nor closes anything. Negative record timestamps are
            // Kafka's "none" and mean unknown, like nil.
            if let recordTimestampMs, recordTimestampMs >= 0,
               event.timestamp > EventTimeArithmetic.add(recordTimestampMs, maxClockSkew) {
                store.noteArrival(at: arrival)
                deadLetter(
                    key: key, value: value, code: .futureTimestamp,
                    detail: "event time \(event.timestamp) is more than \(maxClockSkew) ms ahead of the record timestamp \(recordTimestampMs)",
                    offset: offset, emit: emit)
                return false
            }
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
            return true
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

        /// Emits a dead letter: the record unchanged, or — when its value is larger than the record
        /// limit — a prefix of at most ``deadLetterPrefixBytes`` bytes with the original size and
        /// SHA-256 (contract §1), so that no record is too large for the dead-letter topic.
        func deadLetter(
            key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer, code: RejectionCode, detail: String, offset: Int64,
            emit: (TopologyOutput) -> Void
        ) {
            let info = TopologyOutput.Info.deadLetter(code: code, detail: detail, sourceOffset: offset)
            guard value.count > deadLetterLimit else {
                emit(TopologyOutput(key: key, value: value, info: info, evicted: false))
                return
            }
            let prefix = UnsafeRawBufferPointer(rebasing: value[..<min(deadLetterLimit, Self.deadLetterPrefixBytes)])
            emit(TopologyOutput(
                key: key, value: prefix, info: info, evicted: false,
                original: DeadLetterOriginal(size: value.count, sha256: SHA256.hexDigest(of: value))))
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
}
