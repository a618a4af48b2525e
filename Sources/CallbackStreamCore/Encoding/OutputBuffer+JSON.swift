extension OutputBuffer {
    /// Appends `text` as a quoted JSON string.
    ///
    /// Escapes `"` and `\` and every control character below U+0020 (`\b \f \n \r \t`, others
    /// as `\u00XX`); all other bytes, including UTF-8 sequences, pass through unchanged (the
    /// decoder only ever produces valid UTF-8).
    @inlinable
    public mutating func appendJSONString(_ text: UnsafeRawBufferPointer) {
        let n = text.count
        if let source = text.baseAddress, Self.unescapedPrefixLength(text) == n {
            // The usual case: nothing to escape, one reservation for the quotes and the text.
            let p = reserve(n + 2)
            p[0] = UInt8(ascii: "\"")
            Self.copyBytes(from: source, to: p + 1, count: n)
            p[n + 1] = UInt8(ascii: "\"")
            used += n + 2
            return
        }
        append(UInt8(ascii: "\""))
        appendJSONStringContent(text)
        append(UInt8(ascii: "\""))
    }

    /// How many bytes at the start of `text` need no escaping (all of them, usually), found
    /// 8 bytes at a time: whole words, then the last 8 bytes as one word overlapping bytes already
    /// found clean (so the first marked lane is the first new byte to escape); 4 to 7 bytes as two
    /// overlapping 4-byte halves of one word; up to 3 bytes one by one.
    @inlinable
    static func unescapedPrefixLength(_ text: UnsafeRawBufferPointer) -> Int {
        let n = text.count
        guard n > 0, let p = text.baseAddress else { return 0 }
        if n >= 8 {
            var i = 0
            while n - i > 8 {
                let special = JSONByteLanes.needingEscape(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                if special != 0 { return i + special.trailingZeroBitCount >> 3 }
                i += 8
            }
            let special = JSONByteLanes.needingEscape(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)))
            return special == 0 ? n : n - 8 + special.trailingZeroBitCount >> 3
        }
        if n >= 4 {
            let head = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            let tail = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            let special = JSONByteLanes.needingEscape(head | tail << 32)
            if special == 0 { return n }
            let lane = special.trailingZeroBitCount >> 3
            return lane < 4 ? lane : n - 8 + lane
        }
        var i = 0
        while i < n {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            if b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { break }
            i += 1
        }
        return i
    }

    /// Appends the escaped content of a JSON string, without the quotes.
    ///
    /// Finds the first byte that needs escaping 8 bytes at a time; text without one (the usual
    /// case) is copied in one piece.
    @inlinable
    public mutating func appendJSONStringContent(_ text: UnsafeRawBufferPointer) {
        appendJSONStringContent(text, letterEscapesForBackspaceAndFormFeed: true)
    }

    /// ``appendJSONStringContent(_:)``, writing U+0008 and U+000C as `\b` and `\f` when
    /// `letterEscapesForBackspaceAndFormFeed` (summaries), else as `\u0008` and `\u000c` (the
    /// window records).
    @inlinable
    mutating func appendJSONStringContent(_ text: UnsafeRawBufferPointer, letterEscapesForBackspaceAndFormFeed letters: Bool) {
        let n = text.count
        guard n > 0, let p = text.baseAddress else { return }
        var i = Self.unescapedPrefixLength(text)
        append(UnsafeRawBufferPointer(start: p, count: i))
        guard i < n else { return }
        var runStart = i
        while i < n {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            if runStart < i { append(UnsafeRawBufferPointer(rebasing: text[runStart..<i])) }
            appendEscape(b, letterEscapesForBackspaceAndFormFeed: letters)
            i += 1
            runStart = i
        }
        if runStart < n { append(UnsafeRawBufferPointer(rebasing: text[runStart..<n])) }
    }

    /// Appends the escape sequence of `b` (a quote, a backslash or a control character).
    @usableFromInline
    mutating func appendEscape(_ b: UInt8, letterEscapesForBackspaceAndFormFeed letters: Bool) {
        append(UInt8(ascii: "\\"))
        switch b {
        case UInt8(ascii: "\""): append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): append(UInt8(ascii: "\\"))
        case 0x08 where letters: append(UInt8(ascii: "b"))
        case 0x0C where letters: append(UInt8(ascii: "f"))
        case 0x0A: append(UInt8(ascii: "n"))
        case 0x0D: append(UInt8(ascii: "r"))
        case 0x09: append(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            append("u00")
            append(hex.utf8Start[Int(b >> 4)])
            append(hex.utf8Start[Int(b & 0xF)])
        }
    }

    /// Appends a JSON string for a literal known to need no escaping.
    @inlinable
    @inline(__always)
    mutating func appendJSONLiteralString(_ text: StaticString) {
        append(UInt8(ascii: "\""))
        append(text)
        append(UInt8(ascii: "\""))
    }

    /// Appends `true` or `false`.
    @inlinable
    mutating func appendJSONBool(_ value: Bool) {
        append(value ? "true" : "false")
    }

    /// Appends the integer or `null`.
    @inlinable
    mutating func appendJSONInteger(_ value: Int64?) {
        if let value { appendDecimal(value) } else { append("null") }
    }
}
