/// A small, strict JSON reader for the merge side (partials are per window, not per event, so a
/// tree of values is fine here). RFC 8259 with limits: nesting depth, document size, integers
/// within `Int64`; duplicate object keys, invalid UTF-8, control characters in strings and
/// trailing bytes are errors. Never traps: every failure is `nil`.
enum MergeJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([MergeJSON])
    case object([(key: String, value: MergeJSON)])

    /// Nesting limit (a partial needs 3).
    static let maximumDepth = 8

    static func == (lhs: MergeJSON, rhs: MergeJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.integer(a), .integer(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// Parses one document (surrounding whitespace allowed), or returns `nil`.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> MergeJSON? {
        var reader = Reader(bytes: bytes)
        guard let value = reader.value(depth: 0) else { return nil }
        reader.skipWhitespace()
        return reader.position == bytes.count ? value : nil
    }

    /// The value of `key` in an object (`nil` when not an object or absent).
    subscript(key: String) -> MergeJSON? {
        guard case let .object(members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    var int64: Int64? { if case let .integer(value) = self { value } else { nil } }
    var string: String? { if case let .string(value) = self { value } else { nil } }
    var array: [MergeJSON]? { if case let .array(value) = self { value } else { nil } }
    var isNull: Bool { if case .null = self { true } else { false } }
    /// A number, integer or not.
    var double: Double? {
        switch self {
        case let .number(value): value
        case let .integer(value): Double(value)
        default: nil
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard bytes.count - position >= count else { return false }
            for index in 0 ..< count where bytes[position + index] != text.utf8Start[index] { return false }
            position += count
            return true
        }

        mutating func value(depth: Int) -> MergeJSON? {
            guard depth <= MergeJSON.maximumDepth else { return nil }
            skipWhitespace()
            guard let byte = current else { return nil }
            switch byte {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""): return string().map(MergeJSON.string)
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return number()
            default: return nil
            }
        }

        mutating func object(depth: Int) -> MergeJSON? {
            position += 1
            var members: [(key: String, value: MergeJSON)] = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\""), let key = string() else { return nil }
                guard !members.contains(where: { $0.key == key }) else { return nil }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return nil }
                position += 1
                guard let value = value(depth: depth + 1) else { return nil }
                members.append((key, value))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return .object(members)
                default: return nil
                }
            }
        }

        mutating func array(depth: Int) -> MergeJSON? {
            position += 1
            var elements: [MergeJSON] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                guard let element = value(depth: depth + 1) else { return nil }
                elements.append(element)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return .array(elements)
                default: return nil
                }
            }
        }

        mutating func number() -> MergeJSON? {
            let start = position
            var negative = false
            if current == UInt8(ascii: "-") {
                negative = true
                position += 1
            }
            let digitsStart = position
            var magnitude: UInt64 = 0
            var overflow = false
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                magnitude = sum
                position += 1
            }
            let digits = position - digitsStart
            guard digits > 0, !(digits > 1 && bytes[digitsStart] == UInt8(ascii: "0")) else { return nil }
            var fractional = false
            if current == UInt8(ascii: ".") {
                fractional = true
                position += 1
                let fractionStart = position
                while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
                guard position > fractionStart else { return nil }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                fractional = true
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                let exponentStart = position
                while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
                guard position > exponentStart else { return nil }
            }
            if fractional {
                guard position - start <= 64 else { return nil }
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start ..< position]), as: UTF8.self)
                guard let value = Double(text), value.isFinite else { return nil }
                return .number(value)
            }
            guard !overflow else { return nil }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
                return .integer(magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude))
            }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return .integer(Int64(magnitude))
        }

        mutating func hex4() -> UInt16? {
            guard bytes.count - position >= 4 else { return nil }
            var value: UInt16 = 0
            for _ in 0 ..< 4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt16(digit)
                position += 1
            }
            return value
        }

        mutating func string() -> String? {
            position += 1
            var utf8: [UInt8] = []
            while true {
                guard let byte = current else { return nil }
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escape = current else { return nil }
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let unit = hex4() else { return nil }
                        var scalarValue = UInt32(unit)
                        if (0xD800 ..< 0xDC00).contains(unit) {
                            guard literal("\\u"), let low = hex4(), (0xDC00 ..< 0xE000).contains(low) else { return nil }
                            scalarValue = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(scalarValue) else { return nil }
                        utf8.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                case 0 ..< 0x20:
                    return nil
                default:
                    utf8.append(byte)
                }
            }
        }
    }
}
