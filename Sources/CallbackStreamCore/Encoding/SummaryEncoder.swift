/// Renders a session as the contract's summary JSON (§3), or as the live view served at
/// `/sessions/{interactionId}`, into a reusable ``OutputBuffer`` (no Foundation).
///
/// Fields come in the contract table's order and every list has a defined order (events by
/// timestamp, error codes / form fields / attribute keys bytewise), so the same session always
/// encodes to the same bytes: a replay produces byte-identical summaries.
///
/// `summaryId` is `"<interactionId>:<sessionSeq>:<firstEventTimestampMs>"`: stable under
/// replay, and unique even if an interaction's `sessionSeq` numbering restarts after the store
/// forgot its closed sessions (the first event's time then differs). The last two parts are
/// integers, so it splits unambiguously from the right even when the interaction id contains `:`.
public struct SummaryEncoder: Sendable {
    /// The `schemaVersion` written in every summary.
    public static let schemaVersion = 1

    /// Add a `form` object (field name → value as received) after `attributes`. Only rendered
    /// for states created with `keepFormValues: true`; values are PII, off by default.
    public var includeFormValues: Bool

    /// Creates an encoder.
    public init(includeFormValues: Bool = false) {
        self.includeFormValues = includeFormValues
    }

    /// Appends the summary of an ended session to `out`.
    ///
    /// - Parameters:
    ///   - state: The session.
    ///   - interactionId: The interaction id (UTF-8).
    ///   - sessionSeq: 1 for the interaction's first session, 2, 3, … after that.
    ///   - closeReason: How the session ended.
    ///   - extraAnomalies: Anomalies known to the caller (the store's `evicted`).
    ///   - symbols: The table the state's ids belong to.
    ///   - out: Receives the JSON (appended; clear it first if it should hold only this record).
    public func encodeSummary(
        _ state: InteractionState, interactionId: UnsafeRawBufferPointer, sessionSeq: Int, closeReason: CloseReason,
        extraAnomalies: AnomalySet = [], symbols: SymbolTable, into out: inout OutputBuffer
    ) {
        encode(
            state, interactionId: interactionId, sessionSeq: sessionSeq, closeReason: closeReason,
            anomalies: state.anomalies(sessionEnded: true).union(extraAnomalies), symbols: symbols, into: &out)
    }

    /// Appends the live view of an open session: the summary's fields without `closeReason`,
    /// with `"open": true` in its place, and without `missingClosed` (the session has not ended).
    public func encodeLiveSession(
        _ state: InteractionState, interactionId: UnsafeRawBufferPointer, sessionSeq: Int,
        extraAnomalies: AnomalySet = [], symbols: SymbolTable, into out: inout OutputBuffer
    ) {
        encode(
            state, interactionId: interactionId, sessionSeq: sessionSeq, closeReason: nil,
            anomalies: state.anomalies(sessionEnded: false).union(extraAnomalies), symbols: symbols, into: &out)
    }

    /// Appends the raw (unquoted, unescaped) `summaryId` — e.g. for the `summaryId` record header.
    public static func appendSummaryID(
        interactionId: UnsafeRawBufferPointer, sessionSeq: Int, firstEventTimestamp: Int64, into out: inout OutputBuffer
    ) {
        out.append(interactionId)
        out.append(UInt8(ascii: ":"))
        out.appendDecimal(sessionSeq)
        out.append(UInt8(ascii: ":"))
        out.appendDecimal(firstEventTimestamp)
    }

    func encode(
        _ state: InteractionState, interactionId: UnsafeRawBufferPointer, sessionSeq: Int, closeReason: CloseReason?,
        anomalies: AnomalySet, symbols: SymbolTable, into out: inout OutputBuffer
    ) {
        let timestamps = state.eventTimestamps
        out.append("{\"schemaVersion\":")
        out.appendDecimal(Self.schemaVersion)
        out.append(",\"summaryId\":\"")
        out.appendJSONStringContent(interactionId)
        out.append(UInt8(ascii: ":"))
        out.appendDecimal(sessionSeq)
        out.append(UInt8(ascii: ":"))
        out.appendDecimal(state.firstEventTimestamp ?? 0)
        out.append("\",\"interactionId\":")
        out.appendJSONString(interactionId)
        out.append(",\"sessionSeq\":")
        out.appendDecimal(sessionSeq)
        out.append(",\"outcome\":")
        out.appendJSONLiteralString(state.outcome.wireName)
        if let closeReason {
            out.append(",\"closeReason\":")
            out.appendJSONLiteralString(closeReason.wireName)
        } else {
            out.append(",\"open\":true")
        }

        out.append(",\"events\":[")
        var first = true
        state.forEachEvent { name, _ in
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.appendJSONLiteralString(name.name)
        }
        out.append("],\"proactive\":")
        out.appendJSONBool(state.proactive)
        out.append(",\"prefilled\":")
        out.appendJSONBool(state.prefilled)
        out.append(",\"autoSubmitted\":")
        out.appendJSONBool(state.autoSubmitted)

        out.append(",\"errors\":[")
        first = true
        state.forEachErrorCode { id in
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            symbols.withBytes(id) { out.appendJSONString($0) }
        }
        out.append("],\"formFields\":[")
        first = true
        state.forEachFormField { name, _ in
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            symbols.withBytes(name) { out.appendJSONString($0) }
        }

        out.append("],\"timestamps\":{")
        for name in LifecycleEventName.allCases {
            if name != .ready { out.append(UInt8(ascii: ",")) }
            out.appendJSONLiteralString(name.name)
            out.append(UInt8(ascii: ":"))
            out.appendJSONInteger(timestamps[name])
        }
        out.append("},\"elapsedMs\":")
        out.appendJSONInteger(state.elapsedMs)
        out.append(",\"timeToStartMs\":")
        out.appendJSONInteger(InteractionState.span(timestamps, .opened, .started))
        out.append(",\"timeToSubmitMs\":")
        out.appendJSONInteger(InteractionState.span(timestamps, .started, .submitted))
        out.append(",\"openDurationMs\":")
        out.appendJSONInteger(InteractionState.span(timestamps, .opened, .closed))

        out.append(",\"anomalies\":[")
        first = true
        for (anomaly, wireName) in AnomalySet.all where anomalies.contains(anomaly) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.appendJSONLiteralString(wireName)
        }
        out.append("],\"attributes\":{")
        first = true
        state.forEachAttribute { key, value in
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            symbols.withBytes(key) { out.appendJSONString($0) }
            out.append(UInt8(ascii: ":"))
            symbols.withBytes(value) { out.appendJSONString($0) }
        }
        out.append(UInt8(ascii: "}"))

        if includeFormValues && state.keepsFormValues {
            out.append(",\"form\":{")
            first = true
            state.forEachFormField { name, value in
                guard let value else { return }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                symbols.withBytes(name) { out.appendJSONString($0) }
                out.append(UInt8(ascii: ":"))
                // The value's raw JSON text as received (validated by the decoder).
                symbols.withBytes(value) { out.append($0) }
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }
}
