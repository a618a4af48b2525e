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

    /// The most bytes an event name takes in the `events` list (`"submitted",`).
    static var maximumEventNameLength: Int { 12 }
    /// The most bytes the `anomalies` list's names take (`"invalidTransition",` for each of the six).
    static var maximumAnomaliesLength: Int { 6 * 20 }

    /// Writes the fixed-layout stretches (everything between the strings) through reserved
    /// room (``OutputBuffer/appendReserved(upTo:_:)``), so that a run of small appends pays one
    /// capacity and uniqueness check; the strings (ids, error codes, form fields, attributes) are
    /// appended one by one, escaped.
    func encode(
        _ state: InteractionState, interactionId: UnsafeRawBufferPointer, sessionSeq: Int, closeReason: CloseReason?,
        anomalies: AnomalySet, symbols: SymbolTable, into out: inout OutputBuffer
    ) {
        let integer = OutputBuffer.maximumDecimalLength
        out.append("{\"schemaVersion\":")
        out.appendDecimal(Self.schemaVersion)
        out.append(",\"summaryId\":\"")
        out.appendJSONStringContent(interactionId)
        out.appendReserved(upTo: 40 + 2 * integer) { room in
            room.append(UInt8(ascii: ":"))
            room.appendDecimal(sessionSeq)
            room.append(UInt8(ascii: ":"))
            room.appendDecimal(state.firstEventTimestamp ?? 0)
            room.append("\",\"interactionId\":")
        }
        out.appendJSONString(interactionId)
        out.appendReserved(upTo: 200 + integer + Self.maximumEventNameLength * state.eventCount) { room in
            room.append(",\"sessionSeq\":")
            room.appendDecimal(sessionSeq)
            room.append(",\"outcome\":")
            room.appendJSONLiteralString(state.outcome.wireName)
            if let closeReason {
                room.append(",\"closeReason\":")
                room.appendJSONLiteralString(closeReason.wireName)
            } else {
                room.append(",\"open\":true")
            }
            room.append(",\"events\":[")
            var first = true
            state.forEachEvent { name, _ in
                if !first { room.append(UInt8(ascii: ",")) }
                first = false
                room.appendJSONLiteralString(name.name)
            }
            room.append("],\"proactive\":")
            room.appendJSONBool(state.proactive)
            room.append(",\"prefilled\":")
            room.appendJSONBool(state.prefilled)
            room.append(",\"autoSubmitted\":")
            room.appendJSONBool(state.autoSubmitted)
            room.append(",\"errors\":[")
        }

        var first = true
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

        let timestamps = state.eventTimestamps
        out.appendReserved(upTo: 300 + 11 * integer + Self.maximumAnomaliesLength) { room in
            // LifecycleEventName.allCases in order, spelled out so that the keys are constants.
            room.append("],\"timestamps\":{\"ready\":")
            room.appendJSONInteger(timestamps[.ready])
            room.append(",\"opened\":")
            room.appendJSONInteger(timestamps[.opened])
            room.append(",\"started\":")
            room.appendJSONInteger(timestamps[.started])
            room.append(",\"submitted\":")
            room.appendJSONInteger(timestamps[.submitted])
            room.append(",\"cancelled\":")
            room.appendJSONInteger(timestamps[.cancelled])
            room.append(",\"completed\":")
            room.appendJSONInteger(timestamps[.completed])
            room.append(",\"closed\":")
            room.appendJSONInteger(timestamps[.closed])
            room.append("},\"elapsedMs\":")
            room.appendJSONInteger(state.elapsedMs)
            room.append(",\"timeToStartMs\":")
            room.appendJSONInteger(InteractionState.span(timestamps, .opened, .started))
            room.append(",\"timeToSubmitMs\":")
            room.appendJSONInteger(InteractionState.span(timestamps, .started, .submitted))
            room.append(",\"openDurationMs\":")
            room.appendJSONInteger(InteractionState.span(timestamps, .opened, .closed))
            room.append(",\"anomalies\":[")
            var first = true
            for (anomaly, wireName) in AnomalySet.all where anomalies.contains(anomaly) {
                if !first { room.append(UInt8(ascii: ",")) }
                first = false
                room.appendJSONLiteralString(wireName)
            }
            room.append("],\"attributes\":{")
        }
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
