/// A minimal JSON byte writer for the stats, alert and partial encoders: fixed field order, no whitespace,
/// no Foundation. Strings are escaped per RFC 8259 (quote, backslash, control characters).
internal struct WindowJSONWriter {
    var bytes: [UInt8]
    private var needsComma = false

    init(into bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"name":` (the name must not need escaping).
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    /// Writes `"name":` for a name that may need escaping.
    mutating func dynamicKey(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0 ..< 0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 0xF))
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    mutating func integer<Value: BinaryInteger>(_ value: Value) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    mutating func optionalInteger<Value: BinaryInteger>(_ value: Value?) {
        if let value { integer(value) } else { null() }
    }

    /// A finite number in Swift's shortest round-trip form (valid JSON, e.g. `0.25`, `1.0`,
    /// `1e-05`); `null` for NaN and infinities.
    mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        separate()
        bytes.append(contentsOf: value.description.utf8)
        needsComma = true
    }

    mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    /// `[{"code":…,"count":…},…]`
    mutating func codeCounts(_ counts: [StatsCount]) {
        beginArray()
        for entry in counts {
            beginObject()
            key("code")
            string(entry.name)
            key("count")
            integer(entry.count)
            endObject()
        }
        endArray()
    }

    /// The counts a stats record and a partial share, from `outcomes` to `flushed`, in their
    /// fixed order (one place, so that both formats count the same things the same way).
    mutating func sessionCounts(
        outcomes: [StatsCount], submissions: Int, submissionsWithErrors: Int, errorCodes: [StatsCount], errorCodesOmitted: Int,
        closedByEvent: Int, inactivityTimeouts: Int, maxDurations: Int, evicted: Int, flushed: Int
    ) {
        key("outcomes")
        beginObject()
        for outcome in outcomes {
            dynamicKey(outcome.name)
            integer(outcome.count)
        }
        endObject()
        key("submissions")
        integer(submissions)
        key("submissionsWithErrors")
        integer(submissionsWithErrors)
        key("errorCodes")
        codeCounts(errorCodes)
        key("errorCodesOmitted")
        integer(errorCodesOmitted)
        key("closeReasons")
        beginObject()
        key("closed")
        integer(closedByEvent)
        key("inactivityTimeout")
        integer(inactivityTimeouts)
        key("maxDuration")
        integer(maxDurations)
        endObject()
        key("evicted")
        integer(evicted)
        key("flushed")
        integer(flushed)
    }
}
