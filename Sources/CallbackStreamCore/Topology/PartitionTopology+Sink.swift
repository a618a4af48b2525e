extension PartitionTopology {
    /// The output side of one ``PartitionTopology``: turns closed sessions into summaries and window
    /// contributions, and window results into partials and progress markers (the first stage of the
    /// stats; ``WindowMerger`` is the second). Owns the partition's symbol
    /// table (the states' strings) and the reusable encoding buffers.
    struct Sink {
        let publishNotOpened: Bool
        var symbols = SymbolTable(capacity: 1024)
        /// The id of the attribute key `tenant` in ``symbols``, interned once and held for the
        /// sink's lifetime (so it never changes): a session's tenant is found by comparing ids.
        let tenantKey: SymbolID
        var windows: WindowAggregator
        let summaryEncoder: SummaryEncoder
        /// The value of the record being emitted (a summary, partial or progress marker).
        var buffer = OutputBuffer(capacity: 4096)
        /// The summary's id, or the key of a partial or progress marker.
        var idBuffer = OutputBuffer(capacity: 256)
        /// The error codes of the session being summarized (reused: no allocation per summary).
        var errorCodes: [SymbolID] = []
        /// Per outcome (by ``ordinal(_:)``), its index in the window configuration's outcome labels.
        let outcomeIndex: [Int]
        /// Sessions that never reached `opened` (counted, published only when configured).
        var notOpenedSessions = 0

        init(partition: Int32, configuration: TopologyConfiguration) {
            publishNotOpened = configuration.publishNotOpened
            tenantKey = symbols.intern("tenant")
            windows = WindowAggregator(configuration: WindowConfiguration(
                windowSize: .milliseconds(configuration.windowMs),
                partition: partition,
                inputPartitionCount: configuration.inputPartitionCount))
            summaryEncoder = SummaryEncoder(includeFormValues: configuration.includeFormValues)
            var indices = [Int](repeating: 0, count: Outcome.allCases.count)
            for outcome in Outcome.allCases {
                indices[Self.ordinal(outcome)] = WindowConfiguration.contractOutcomeLabels.firstIndex(of: outcome.rawValue) ?? 0
            }
            outcomeIndex = indices
        }

        /// A dense number per outcome (no hashing on the per-summary path).
        static func ordinal(_ outcome: Outcome) -> Int {
            switch outcome {
            case .completed: 0
            case .failed: 1
            case .abandonedForm: 2
            case .cancelledBeforeStart: 3
            case .submittedUnconfirmed: 4
            case .notOpened: 5
            }
        }

        mutating func summarize(_ closed: ClosedSession<InteractionState>, interactionId: UnsafeRawBufferPointer, emit: (TopologyOutput) -> Void) {
            var state = closed.state
            let outcome = state.outcome
            let closeReason: CloseReason = switch closed.reason {
            case .closed: .closed
            case .inactivityTimeout: .inactivityTimeout
            case .maxDuration: .maxDuration
            }
            let evicted = closed.earlyClose == .evicted
            var stages: FunnelStages = []
            if state.hasSeen(.opened) { stages.insert(.opened) }
            if state.hasSeen(.started) { stages.insert(.started) }
            if state.hasSeen(.submitted) { stages.insert(.submitted) }
            if state.hasSeen(.completed) { stages.insert(.completed) }

            let published = outcome != .notOpened || publishNotOpened
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
            idBuffer.withUnsafeBytes { summaryID in
                buffer.withUnsafeBytes { value in
                    emit(TopologyOutput(
                        key: interactionId, value: value,
                        info: .summary(summaryID: summaryID, outcome: outcome, closeReason: closeReason, stages: stages, published: published),
                        evicted: evicted))
                }
            }

            errorCodes.removeAll(keepingCapacity: true)
            state.forEachErrorCode { errorCodes.append($0) }
            var tenant: SymbolID?
            state.forEachAttribute { key, value in
                if key == tenantKey { tenant = value }
            }
            windows.add(
                closeTime: closed.closeTime, tenant: tenant,
                outcome: outcomeIndex[Self.ordinal(outcome)], submitted: state.hasSeen(.submitted), errorCodes: errorCodes,
                elapsedMilliseconds: state.elapsedMs, closeReason: closed.reason, earlyClose: closed.earlyClose,
                sessionSymbols: symbols)
            state.releaseSymbols(in: &symbols)
        }

        /// Emits the partials of the windows that end at or before `watermark`, then a progress
        /// marker when a window end was crossed.
        mutating func advanceWindows(to watermark: Int64, emit: (TopologyOutput) -> Void) {
            windows.advance(to: watermark)
            guard windows.pendingOutputCount > 0 else { return }
            let windowSize = windows.configuration.windowSizeMilliseconds
            windows.drainEncodedOutputs(value: &buffer, key: &idBuffer) { output, key, value in
                let info: TopologyOutput.Info = switch output {
                case let .partial(windowStart): .partial(windowStart: windowStart)
                case let .progress(completeThrough, since):
                    .progress(completeThrough: completeThrough, since: since, windowSize: windowSize)
                }
                key.withUnsafeBytes { key in
                    value.withUnsafeBytes { value in
                        emit(TopologyOutput(key: key, value: value, info: info, evicted: false))
                    }
                }
            }
        }
    }
}
