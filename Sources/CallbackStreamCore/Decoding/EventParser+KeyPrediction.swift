/// Member keys read by prediction: producers write the contract's members in one order and
/// without whitespace, so at each member the parser first compares the input with the compact
/// spelling of the key it expects next (`"name":`, one or two word compares) and consumes it on
/// a match. When that fails (another producer's member order), it tries the compact spellings
/// of the keys that start with the input's first letter; only when none matches (whitespace,
/// an escape, an unknown key) does it read the key in full (``memberKey(_:)``).
///
/// Equivalent by construction: the compact spelling holds no escape and no whitespace, so
/// reading it in full yields the same key, the same position and no scratch use.
extension EventParser {
    /// Consumes the compact key `text` (`"name":`) and any whitespace after it when the input
    /// at `pos` starts with it; otherwise consumes nothing. (Inlined: `text`'s length and bytes
    /// are constants.)
    @inline(__always)
    func consumeCompactKey(_ text: StaticString, _ pos: inout Int) -> Bool {
        let n = text.utf8CodeUnitCount
        guard end &- pos >= n,
            ByteComparison.equalBytes(UnsafeRawPointer(base + pos), UnsafeRawPointer(text.utf8Start), n)
        else { return false }
        pos &+= n
        if peek(pos) <= 0x20 { skipWhitespace(&pos) }
        return true
    }

    /// The first letter of a compact key at `pos` (the byte after its opening quote), or 0.
    @inline(__always)
    func compactKeyLetter(_ pos: Int) -> UInt8 {
        end &- pos >= 2 ? base[pos &+ 1] : 0
    }

    /// Consumes the compact spelling of `key` as ``consumeCompactKey(_:_:)`` does (false for
    /// ``TopLevelKey/other``). (Always inlined: with `key` a constant, only its compare is left.)
    @inline(always)
    func consumeCompactKey(_ key: TopLevelKey, _ pos: inout Int) -> Bool {
        switch key {
        case .interactionId: consumeCompactKey("\"interactionId\":", &pos)
        case .event: consumeCompactKey("\"event\":", &pos)
        case .timestamp: consumeCompactKey("\"timestamp\":", &pos)
        case .eventId: consumeCompactKey("\"eventId\":", &pos)
        case .metadata: consumeCompactKey("\"metadata\":", &pos)
        case .attributes: consumeCompactKey("\"attributes\":", &pos)
        case .other: false
        }
    }

    /// Consumes the compact spelling of `key` as ``consumeCompactKey(_:_:)`` does (false for
    /// ``MetadataKey/other``; always inlined).
    @inline(always)
    func consumeCompactKey(_ key: MetadataKey, _ pos: inout Int) -> Bool {
        switch key {
        case .proactive: consumeCompactKey("\"proactive\":", &pos)
        case .prefilled: consumeCompactKey("\"prefilled\":", &pos)
        case .autoSubmitted: consumeCompactKey("\"autoSubmitted\":", &pos)
        case .errors: consumeCompactKey("\"errors\":", &pos)
        case .form: consumeCompactKey("\"form\":", &pos)
        case .opened: consumeCompactKey("\"opened\":", &pos)
        case .started: consumeCompactKey("\"started\":", &pos)
        case .cancelled: consumeCompactKey("\"cancelled\":", &pos)
        case .completed: consumeCompactKey("\"completed\":", &pos)
        case .closed: consumeCompactKey("\"closed\":", &pos)
        case .elapsed: consumeCompactKey("\"elapsed\":", &pos)
        case .other: false
        }
    }

    /// Consumes `,` and the compact spelling of `key` right after it (`,"name":`, one or two
    /// word compares) and any whitespace after them, as ``nextMember(_:)`` followed by a
    /// predicted key would; otherwise consumes nothing (false for ``TopLevelKey/other``; always
    /// inlined).
    @inline(always)
    func consumeSeparatorAndCompactKey(_ key: TopLevelKey, _ pos: inout Int) -> Bool {
        switch key {
        case .interactionId: consumeCompactKey(",\"interactionId\":", &pos)
        case .event: consumeCompactKey(",\"event\":", &pos)
        case .timestamp: consumeCompactKey(",\"timestamp\":", &pos)
        case .eventId: consumeCompactKey(",\"eventId\":", &pos)
        case .metadata: consumeCompactKey(",\"metadata\":", &pos)
        case .attributes: consumeCompactKey(",\"attributes\":", &pos)
        case .other: false
        }
    }

    /// Consumes `,"name":` for a `metadata` member `key` as the top-level variant does (false
    /// for ``MetadataKey/other``; always inlined).
    @inline(always)
    func consumeSeparatorAndCompactKey(_ key: MetadataKey, _ pos: inout Int) -> Bool {
        switch key {
        case .proactive: consumeCompactKey(",\"proactive\":", &pos)
        case .prefilled: consumeCompactKey(",\"prefilled\":", &pos)
        case .autoSubmitted: consumeCompactKey(",\"autoSubmitted\":", &pos)
        case .errors: consumeCompactKey(",\"errors\":", &pos)
        case .form: consumeCompactKey(",\"form\":", &pos)
        case .opened: consumeCompactKey(",\"opened\":", &pos)
        case .started: consumeCompactKey(",\"started\":", &pos)
        case .cancelled: consumeCompactKey(",\"cancelled\":", &pos)
        case .completed: consumeCompactKey(",\"completed\":", &pos)
        case .closed: consumeCompactKey(",\"closed\":", &pos)
        case .elapsed: consumeCompactKey(",\"elapsed\":", &pos)
        case .other: false
        }
    }

    /// Reads a top-level member key and the `:` after it, trying `expected` first. (Always
    /// inlined: `@inline(__always)` alone left it a call in the large callers.)
    @inline(always)
    mutating func topLevelKey(_ pos: inout Int, expecting expected: TopLevelKey) throws(DecodeFailure) -> TopLevelKey {
        if predictsKeys {
            if consumeCompactKey(expected, &pos) { return expected }
            switch compactKeyLetter(pos) {
            case UInt8(ascii: "i"):
                if consumeCompactKey(.interactionId, &pos) { return .interactionId }
            case UInt8(ascii: "e"):
                if consumeCompactKey(.event, &pos) { return .event }
                if consumeCompactKey(.eventId, &pos) { return .eventId }
            case UInt8(ascii: "t"):
                if consumeCompactKey(.timestamp, &pos) { return .timestamp }
            case UInt8(ascii: "m"):
                if consumeCompactKey(.metadata, &pos) { return .metadata }
            case UInt8(ascii: "a"):
                if consumeCompactKey(.attributes, &pos) { return .attributes }
            default:
                break
            }
        }
        return TopLevelKey(try memberKey(&pos))
    }

    /// Reads a `metadata` member key and the `:` after it, trying `expected` first (always inlined).
    @inline(always)
    mutating func metadataKey(_ pos: inout Int, expecting expected: MetadataKey) throws(DecodeFailure) -> MetadataKey {
        if predictsKeys {
            if consumeCompactKey(expected, &pos) { return expected }
            switch compactKeyLetter(pos) {
            case UInt8(ascii: "p"):
                if consumeCompactKey(.proactive, &pos) { return .proactive }
                if consumeCompactKey(.prefilled, &pos) { return .prefilled }
            case UInt8(ascii: "a"):
                if consumeCompactKey(.autoSubmitted, &pos) { return .autoSubmitted }
            case UInt8(ascii: "e"):
                if consumeCompactKey(.errors, &pos) { return .errors }
                if consumeCompactKey(.elapsed, &pos) { return .elapsed }
            case UInt8(ascii: "f"):
                if consumeCompactKey(.form, &pos) { return .form }
            case UInt8(ascii: "o"):
                if consumeCompactKey(.opened, &pos) { return .opened }
            case UInt8(ascii: "s"):
                if consumeCompactKey(.started, &pos) { return .started }
            case UInt8(ascii: "c"):
                if consumeCompactKey(.cancelled, &pos) { return .cancelled }
                if consumeCompactKey(.completed, &pos) { return .completed }
                if consumeCompactKey(.closed, &pos) { return .closed }
            default:
                break
            }
        }
        return MetadataKey(try memberKey(&pos))
    }
}
