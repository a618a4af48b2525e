/// The JSON pieces the stats, alert and partial encoders share: fixed field order, no
/// whitespace, no Foundation. The encoders write their constant fragments (a key with the comma
/// before it) as literals and the values through these.
extension OutputBuffer {
    /// Appends `text` as a quoted JSON string, escaped as the window records escape (RFC 8259):
    /// `\"`, `\\`, `\n`, `\r`, `\t`, every other control character below U+0020 as `\u00XX`
    /// (also U+0008 and U+000C, which summaries write as `\b` and `\f`); all other bytes unchanged.
    @inlinable
    mutating func appendWindowJSONString(_ text: UnsafeRawBufferPointer) {
        append(UInt8(ascii: "\""))
        appendJSONStringContent(text, letterEscapesForBackspaceAndFormFeed: false)
        append(UInt8(ascii: "\""))
    }

    /// Appends the UTF-8 of `text` as a quoted JSON string (``appendWindowJSONString(_:)-(UnsafeRawBufferPointer)``).
    mutating func appendWindowJSONString(_ text: String) {
        var text = text
        text.withUTF8 { appendWindowJSONString(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `text` as a quoted JSON string, or `null`.
    mutating func appendWindowJSONString(_ text: String?) {
        if let text { appendWindowJSONString(text) } else { append("null") }
    }

    /// Appends a finite number in Swift's shortest round-trip form (valid JSON, e.g. `0.25`,
    /// `1.0`, `1e-05`); `null` for NaN and infinities.
    mutating func appendJSONNumber(_ value: Double) {
        guard value.isFinite else { return append("null") }
        var text = value.description
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `{"code":…,"count":…}` (the element of `errorCodes` and `topErrorCodes`), after a
    /// comma unless `first`.
    @inlinable
    mutating func appendCodeCount(code: UnsafeRawBufferPointer, count: Int, first: Bool) {
        append(first ? "{\"code\":" : ",{\"code\":")
        appendWindowJSONString(code)
        append(",\"count\":")
        appendDecimal(count)
        append(UInt8(ascii: "}"))
    }

    /// Appends `[{"code":…,"count":…},…]`.
    mutating func appendCodeCounts(_ counts: [StatsCount]) {
        append(UInt8(ascii: "["))
        for (position, entry) in counts.enumerated() {
            var name = entry.name
            name.withUTF8 { appendCodeCount(code: UnsafeRawBufferPointer($0), count: entry.count, first: position == 0) }
        }
        append(UInt8(ascii: "]"))
    }

    /// Appends `"outcomes":{"<name>":<count>,…}` (names escaped: they are configurable), after a comma.
    mutating func appendOutcomes(_ outcomes: [StatsCount]) {
        append(",\"outcomes\":{")
        for (position, outcome) in outcomes.enumerated() {
            if position > 0 { append(UInt8(ascii: ",")) }
            appendWindowJSONString(outcome.name)
            append(UInt8(ascii: ":"))
            appendDecimal(outcome.count)
        }
        append(UInt8(ascii: "}"))
    }

    /// Appends `,"submissions":…,"submissionsWithErrors":…,"errorCodes":` (the codes follow).
    @inlinable
    mutating func appendSubmissionCounts(submissions: Int, submissionsWithErrors: Int) {
        appendReserved(upTo: 60 + 2 * OutputBuffer.maximumDecimalLength) { room in
            room.append(",\"submissions\":")
            room.appendDecimal(submissions)
            room.append(",\"submissionsWithErrors\":")
            room.appendDecimal(submissionsWithErrors)
            room.append(",\"errorCodes\":")
        }
    }

    /// Appends `,"errorCodesOmitted":…,"closeReasons":{"closed":…,"inactivityTimeout":…,
    /// "maxDuration":…},"evicted":…,"flushed":…` (what follows the error codes).
    @inlinable
    mutating func appendCloseCounts(
        errorCodesOmitted: Int, closedByEvent: Int, inactivityTimeouts: Int, maxDurations: Int, evicted: Int, flushed: Int
    ) {
        appendReserved(upTo: 120 + 6 * OutputBuffer.maximumDecimalLength) { room in
            room.append(",\"errorCodesOmitted\":")
            room.appendDecimal(errorCodesOmitted)
            room.append(",\"closeReasons\":{\"closed\":")
            room.appendDecimal(closedByEvent)
            room.append(",\"inactivityTimeout\":")
            room.appendDecimal(inactivityTimeouts)
            room.append(",\"maxDuration\":")
            room.appendDecimal(maxDurations)
            room.append("},\"evicted\":")
            room.appendDecimal(evicted)
            room.append(",\"flushed\":")
            room.appendDecimal(flushed)
        }
    }

    /// Appends the counts a stats record and a partial share, from `outcomes` to `flushed`, in
    /// their fixed order, after a comma (one place, so that both formats count the same things the
    /// same way).
    mutating func appendSessionCounts(
        outcomes: [StatsCount], submissions: Int, submissionsWithErrors: Int, errorCodes: [StatsCount], errorCodesOmitted: Int,
        closedByEvent: Int, inactivityTimeouts: Int, maxDurations: Int, evicted: Int, flushed: Int
    ) {
        appendOutcomes(outcomes)
        appendSubmissionCounts(submissions: submissions, submissionsWithErrors: submissionsWithErrors)
        appendCodeCounts(errorCodes)
        appendCloseCounts(
            errorCodesOmitted: errorCodesOmitted, closedByEvent: closedByEvent, inactivityTimeouts: inactivityTimeouts,
            maxDurations: maxDurations, evicted: evicted, flushed: flushed)
    }

    /// Appends the record in `encode` to `bytes` (the encoders' `[UInt8]` entry points).
    static func appending(to bytes: inout [UInt8], capacity: Int, _ encode: (inout OutputBuffer) -> Void) {
        var out = OutputBuffer(capacity: capacity)
        encode(&out)
        out.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}
