/// A JSON number as read by ``EventParser``.
struct ScannedNumber {
    /// No fraction and no exponent.
    var isInteger: Bool
    /// The value when it is an integer that fits in `Int64`.
    var value: Int64?
    /// Offset of the first byte of the number's text.
    var start: Int
    /// Offset of the byte after it.
    var end: Int
}

extension EventParser {
    // MARK: - Strings

    /// Reads a string whose opening quote was consumed. With `decode`, returns its content
    /// (a view into the input, or into scratch when it had escapes); otherwise only validates.
    @inline(__always)
    mutating func string(_ pos: inout Int, decode: Bool) throws(DecodeFailure) -> ByteView {
        let start = pos
        // Wrapping arithmetic: `pos` stays within `start ... end`, so no step can overflow.
        while true {
            // Skip 8 plain bytes at a time: stop at '"', '\\', a control byte or a non-ASCII byte.
            while end &- pos >= 8 {
                let w = UInt64(littleEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self))
                let special = JSONByteLanes.endingPlainRun(w)
                if special != 0 {
                    pos &+= special.trailingZeroBitCount &>> 3
                    break
                }
                pos &+= 8
            }
            guard pos < end else { throw .syntax("unterminated string", at: start - 1) }
            let b = base[pos]
            if b == UInt8(ascii: "\"") {
                pos &+= 1
                return inputView(start, pos &- 1)
            }
            if b == UInt8(ascii: "\\") {
                let escaped = try escapedString(start: start, from: pos, decode: decode)
                pos = escaped.end
                return escaped.view
            }
            if b < 0x20 { throw .syntax("control character in a string", at: pos) }
            if b >= 0x80 {
                pos &+= try Self.utf8Sequence(base, at: pos, end: end)
            } else {
                pos &+= 1
            }
        }
    }

    /// Slow path of ``string(_:decode:)`` from the first backslash, at `from`, of a string whose
    /// content starts at `start`; returns the content and the position after the closing quote.
    mutating func escapedString(
        start: Int, from backslash: Int, decode: Bool
    ) throws(DecodeFailure) -> (view: ByteView, end: Int) {
        var pos = backslash
        let outStart = scratchUsed
        var out = scratchUsed
        if decode {
            let plain = pos - start
            (scratch + out).update(from: base + start, count: plain)
            out += plain
        }
        while true {
            guard pos < end else { throw .syntax("unterminated string", at: start - 1) }
            let b = base[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos &+= 1
                if decode {
                    scratchUsed = out
                    return (ByteView(UnsafeRawBufferPointer(start: scratch + outStart, count: out - outStart)), pos)
                }
                return (.empty, pos)
            case UInt8(ascii: "\\"):
                guard pos + 1 < end else { throw .syntax("unterminated string", at: start - 1) }
                let e = base[pos + 1]
                var decoded: UInt8 = 0
                switch e {
                case UInt8(ascii: "\""): decoded = 0x22
                case UInt8(ascii: "\\"): decoded = 0x5C
                case UInt8(ascii: "/"): decoded = 0x2F
                case UInt8(ascii: "b"): decoded = 0x08
                case UInt8(ascii: "f"): decoded = 0x0C
                case UInt8(ascii: "n"): decoded = 0x0A
                case UInt8(ascii: "r"): decoded = 0x0D
                case UInt8(ascii: "t"): decoded = 0x09
                case UInt8(ascii: "u"):
                    let scalar = try Self.unicodeEscape(base, at: pos, end: end)
                    if decode { out += Self.writeUTF8(scalar, to: scratch + out) }
                    // A scalar above U+FFFF was written as a surrogate pair: two escapes.
                    pos &+= scalar >= 0x10000 ? 12 : 6
                    continue
                default:
                    throw .syntax("invalid escape sequence", at: pos)
                }
                if decode {
                    scratch[out] = decoded
                    out += 1
                }
                pos &+= 2
            default:
                if b < 0x20 { throw .syntax("control character in a string", at: pos) }
                let n = b < 0x80 ? 1 : try Self.utf8Sequence(base, at: pos, end: end)
                if decode {
                    (scratch + out).update(from: base + pos, count: n)
                    out += n
                }
                pos &+= n
            }
        }
    }

    /// Reads `\uXXXX` at `at` (and a following low surrogate escape when needed): 6 bytes
    /// for a scalar up to U+FFFF, 12 for one above.
    /// (Static: a method would copy the whole parser for each call.)
    static func unicodeEscape(_ base: UnsafePointer<UInt8>, at: Int, end: Int) throws(DecodeFailure) -> UInt32 {
        let high = try hex4(base, at: at + 2, end: end)
        switch high {
        case 0xD800...0xDBFF:
            let pos = at + 6
            guard end - pos >= 6, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") else {
                throw .syntax("unpaired surrogate in \\u escape", at: at)
            }
            let low = try hex4(base, at: pos + 2, end: end)
            guard (0xDC00...0xDFFF).contains(low) else { throw .syntax("unpaired surrogate in \\u escape", at: at) }
            return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        case 0xDC00...0xDFFF:
            throw .syntax("unpaired surrogate in \\u escape", at: at)
        default:
            return high
        }
    }

    /// (Static: a method would copy the whole parser for each call.)
    static func hex4(_ base: UnsafePointer<UInt8>, at i: Int, end: Int) throws(DecodeFailure) -> UInt32 {
        guard end - i >= 4 else { throw .syntax("truncated \\u escape", at: i) }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = base[i + k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw .syntax("invalid hex digit in \\u escape", at: i + k)
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    static func writeUTF8(_ scalar: UInt32, to p: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            p[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            p[0] = UInt8(0xC0 | scalar >> 6)
            p[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            p[0] = UInt8(0xE0 | scalar >> 12)
            p[1] = UInt8(0x80 | (scalar >> 6) & 0x3F)
            p[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            p[0] = UInt8(0xF0 | scalar >> 18)
            p[1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
            p[2] = UInt8(0x80 | (scalar >> 6) & 0x3F)
            p[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }

    /// Validates the UTF-8 sequence starting with the non-ASCII byte at `i`; returns its length.
    /// (Static: a method would copy the whole parser for each call.)
    static func utf8Sequence(_ base: UnsafePointer<UInt8>, at i: Int, end: Int) throws(DecodeFailure) -> Int {
        let b0 = base[i]
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < end && base[i + k] >= lo && base[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF:
            if cont(1) { return 2 }
        case 0xE0:
            if cont(1, 0xA0), cont(2) { return 3 }
        case 0xE1...0xEC, 0xEE...0xEF:
            if cont(1), cont(2) { return 3 }
        case 0xED:
            if cont(1, 0x80, 0x9F), cont(2) { return 3 }
        case 0xF0:
            if cont(1, 0x90), cont(2), cont(3) { return 4 }
        case 0xF1...0xF3:
            if cont(1), cont(2), cont(3) { return 4 }
        case 0xF4:
            if cont(1, 0x80, 0x8F), cont(2), cont(3) { return 4 }
        default:
            break
        }
        throw .syntax("invalid UTF-8", at: i)
    }

    // MARK: - Numbers

    /// Reads a JSON number at `start` (which holds `-` or a digit).
    @inline(__always)
    func number(from start: Int) throws(DecodeFailure) -> ScannedNumber {
        try Self.number(base, from: start, end: end)
    }

    /// ``number(from:)`` itself. (Static: where it is not inlined, a method would copy the
    /// whole parser for each call.)
    static func number(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) throws(DecodeFailure) -> ScannedNumber {
        @inline(__always) func peek(_ pos: Int) -> UInt8 { pos < end ? base[pos] : 0 }
        /// Consumes one or more digits.
        @inline(__always) func digits(_ pos: inout Int) throws(DecodeFailure) {
            let start = pos
            while pos < end, base[pos] &- UInt8(ascii: "0") < 10 { pos &+= 1 }
            guard pos > start else { throw .syntax("invalid number", at: start) }
        }
        var pos = start
        var negative = false
        if peek(pos) == UInt8(ascii: "-") {
            negative = true
            pos &+= 1
        }
        var magnitude: UInt64 = 0
        var fits = true
        let first = peek(pos)
        if first == UInt8(ascii: "0") {
            pos &+= 1
        } else if first >= UInt8(ascii: "1") && first <= UInt8(ascii: "9") {
            magnitude = UInt64(first &- UInt8(ascii: "0"))
            pos &+= 1
            // Eight digits at a time while the value stays below 10^18 (no overflow possible):
            // a 13-digit millisecond timestamp takes one step plus four single digits.
            var digitCount = 1
            while digitCount <= 10, end - pos >= 8 {
                let w = UInt64(littleEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self))
                guard Self.isEightDigits(w) else { break }
                magnitude = magnitude &* 100_000_000 &+ Self.eightDigitsValue(w)
                pos &+= 8
                digitCount += 8
            }
            // Then the remaining 1 to 7 digits of a block in one step (at most 17 digits in all:
            // still no overflow possible), so a 13-digit timestamp needs no single-digit steps.
            if digitCount <= 10, end - pos >= 8 {
                let w = UInt64(littleEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self))
                let k = Self.leadingDigitCount(w)
                if k > 0 {
                    magnitude = magnitude &* Self.powerOfTen(k) &+ Self.eightDigitsValue(Self.digitsMovedUp(w, count: k))
                    pos &+= k
                }
            }
            while pos < end {
                let d = base[pos] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(d))
                if o1 || o2 { fits = false }
                magnitude = s
                pos &+= 1
            }
        } else {
            throw .syntax("invalid number", at: start)
        }
        var isInteger = true
        if peek(pos) == UInt8(ascii: ".") {
            isInteger = false
            pos &+= 1
            try digits(&pos)
        }
        let e = peek(pos)
        if e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            isInteger = false
            pos &+= 1
            let sign = peek(pos)
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { pos &+= 1 }
            try digits(&pos)
        }
        var value: Int64?
        if isInteger && fits {
            if negative {
                if magnitude <= UInt64(Int64.max) + 1 { value = Int64(truncatingIfNeeded: 0 &- magnitude) }
            } else if magnitude <= UInt64(Int64.max) {
                value = Int64(magnitude)
            }
        }
        return ScannedNumber(isInteger: isInteger, value: value, start: start, end: pos)
    }

    /// The common shape of a timestamp, read with two word loads: 1 to 15 digits, the first
    /// not `0`, followed by a byte that is not `.`, `e` or `E` (and at least 16 bytes left from
    /// `pos`). Consumes the digits and returns their value — exactly what ``number(from:)`` would
    /// read, and always in 0 … 2^53−1 — or consumes nothing and returns nil for any other input.
    /// (Always inlined: a call costs as much as a third of it.)
    @inline(always)
    func plainTimestamp(_ pos: inout Int) -> Int64? {
        guard end &- pos >= 16 else { return nil }
        let p = UnsafeRawPointer(base + pos)
        let w0 = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        let first = UInt8(truncatingIfNeeded: w0)
        guard first >= UInt8(ascii: "1") && first <= UInt8(ascii: "9") else { return nil }
        let k0 = Self.leadingDigitCount(w0)
        var n = k0
        var value: UInt64
        if k0 < 8 {
            value = Self.eightDigitsValue(Self.digitsMovedUp(w0, count: k0))
        } else {
            let w1 = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            let k1 = Self.leadingDigitCount(w1)
            guard k1 < 8 else { return nil }
            value = Self.eightDigitsValue(w0)
            if k1 > 0 {
                value = value &* Self.powerOfTen(k1) &+ Self.eightDigitsValue(Self.digitsMovedUp(w1, count: k1))
            }
            n = 8 &+ k1
        }
        // The byte after the digits is not a digit; a fraction or an exponent is number(from:)'s job.
        let next = p.load(fromByteOffset: n, as: UInt8.self)
        guard next != UInt8(ascii: "."), next | 0x20 != UInt8(ascii: "e") else { return nil }
        pos &+= n
        return Int64(truncatingIfNeeded: value)
    }

    /// The first `count` (1 … 7) bytes of `w` moved to its top bytes, ASCII `0`s below them:
    /// 8 digits with the same value as those `count` digits.
    @inline(__always)
    static func digitsMovedUp(_ w: UInt64, count: Int) -> UInt64 {
        let shift = UInt64(8 &- count) &* 8
        return w << shift | 0x3030_3030_3030_3030 >> (64 &- shift)
    }

    /// Whether all 8 bytes of `w` are ASCII digits.
    @inline(__always)
    static func isEightDigits(_ w: UInt64) -> Bool {
        (w & 0xF0F0_F0F0_F0F0_F0F0) | (((w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4) == 0x3333_3333_3333_3333
    }

    /// How many of the bytes of `w` (loaded little-endian), from the first, are ASCII digits,
    /// given that not all 8 are.
    @inline(__always)
    static func leadingDigitCount(_ w: UInt64) -> Int {
        // Per byte lane: zero exactly when the byte is a digit. A carry out of a lane (bytes
        // >= 0xFA) only reaches lanes after a non-digit, which do not matter.
        let lanes = ((w & 0xF0F0_F0F0_F0F0_F0F0) | (((w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4))
            ^ 0x3333_3333_3333_3333
        return lanes.trailingZeroBitCount >> 3
    }

    /// 10^k for k in 1 ... 7.
    @inline(__always)
    static func powerOfTen(_ k: Int) -> UInt64 {
        switch k {
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        default: 10_000_000
        }
    }

    /// The value of 8 ASCII digits loaded little-endian (first digit in the lowest byte).
    @inline(__always)
    static func eightDigitsValue(_ w: UInt64) -> UInt64 {
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        let mul1: UInt64 = 100 + (1_000_000 << 32)
        let mul2: UInt64 = 1 + (10_000 << 32)
        var v = w &- 0x3030_3030_3030_3030
        v = (v &* 10) &+ (v >> 8)
        return ((v & mask) &* mul1 &+ ((v >> 16) & mask) &* mul2) >> 32
    }
}
