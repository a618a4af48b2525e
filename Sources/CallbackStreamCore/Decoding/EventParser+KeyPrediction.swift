/// Member keys read by prediction: producers write the contract's members in one order and
/// without whitespace, so at each member the parser first compares the input with the compact
/// spelling of the key it expects next (`"name":`, one or two word compares) and consumes it on
/// a match. On any mismatch it consumes nothing and reads the key in full (``memberKey(_:)``).
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

    /// Reads a top-level member key and the `:` after it, trying `expected` first. (Always
    /// inlined: `@inline(__always)` alone left it a call in the large callers.)
    @inline(always)
    mutating func topLevelKey(_ pos: inout Int, expecting expected: TopLevelKey) throws(DecodeFailure) -> TopLevelKey {
        if predictsKeys {
            let hit: Bool
            switch expected {
            case .interactionId: hit = consumeCompactKey("\"interactionId\":", &pos)
            case .event: hit = consumeCompactKey("\"event\":", &pos)
            case .timestamp: hit = consumeCompactKey("\"timestamp\":", &pos)
            case .eventId: hit = consumeCompactKey("\"eventId\":", &pos)
            case .metadata: hit = consumeCompactKey("\"metadata\":", &pos)
            case .attributes: hit = consumeCompactKey("\"attributes\":", &pos)
            case .other: hit = false
            }
            if hit { return expected }
        }
        return TopLevelKey(try memberKey(&pos))
    }

    /// Reads a `metadata` member key and the `:` after it, trying `expected` first (always inlined).
    @inline(always)
    mutating func metadataKey(_ pos: inout Int, expecting expected: MetadataKey) throws(DecodeFailure) -> MetadataKey {
        if predictsKeys {
            let hit: Bool
            switch expected {
            case .proactive: hit = consumeCompactKey("\"proactive\":", &pos)
            case .prefilled: hit = consumeCompactKey("\"prefilled\":", &pos)
            case .autoSubmitted: hit = consumeCompactKey("\"autoSubmitted\":", &pos)
            case .errors: hit = consumeCompactKey("\"errors\":", &pos)
            case .form: hit = consumeCompactKey("\"form\":", &pos)
            case .opened: hit = consumeCompactKey("\"opened\":", &pos)
            case .started: hit = consumeCompactKey("\"started\":", &pos)
            case .cancelled: hit = consumeCompactKey("\"cancelled\":", &pos)
            case .completed: hit = consumeCompactKey("\"completed\":", &pos)
            case .closed: hit = consumeCompactKey("\"closed\":", &pos)
            case .elapsed: hit = consumeCompactKey("\"elapsed\":", &pos)
            case .other: hit = false
            }
            if hit { return expected }
        }
        return MetadataKey(try memberKey(&pos))
    }
}
