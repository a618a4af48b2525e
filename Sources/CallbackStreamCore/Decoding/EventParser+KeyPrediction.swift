/// Member keys read by prediction: producers write the contract's members in one order and
/// without whitespace, so at each member the parser first compares the input with the compact
/// spelling of the key it expects next (`"name":`, one or two word compares) and consumes it on
/// a match. On any mismatch it consumes nothing and reads the key in full (``memberKey()``).
///
/// Equivalent by construction: the compact spelling holds no escape and no whitespace, so
/// reading it in full yields the same key, the same position and no scratch use.
extension EventParser {
    /// Consumes the compact key `text` (`"name":`) and any whitespace after it when the input
    /// at `pos` starts with it; otherwise consumes nothing. (Inlined: `text`'s length and bytes
    /// are constants.)
    @inline(__always)
    mutating func consumeCompactKey(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard end &- pos >= n,
            ByteComparison.equalBytes(UnsafeRawPointer(base + pos), UnsafeRawPointer(text.utf8Start), n)
        else { return false }
        pos &+= n
        if peek() <= 0x20 { skipWhitespace() }
        return true
    }

    /// Reads a top-level member key and the `:` after it, trying `expected` first. (Always
    /// inlined: `@inline(__always)` alone left it a call in the large callers.)
    @inline(always)
    mutating func topLevelKey(expecting expected: TopLevelKey) throws(DecodeFailure) -> TopLevelKey {
        if predictsKeys {
            let hit: Bool
            switch expected {
            case .interactionId: hit = consumeCompactKey("\"interactionId\":")
            case .event: hit = consumeCompactKey("\"event\":")
            case .timestamp: hit = consumeCompactKey("\"timestamp\":")
            case .eventId: hit = consumeCompactKey("\"eventId\":")
            case .metadata: hit = consumeCompactKey("\"metadata\":")
            case .attributes: hit = consumeCompactKey("\"attributes\":")
            case .other: hit = false
            }
            if hit { return expected }
        }
        return TopLevelKey(try memberKey())
    }

    /// Reads a `metadata` member key and the `:` after it, trying `expected` first (always inlined).
    @inline(always)
    mutating func metadataKey(expecting expected: MetadataKey) throws(DecodeFailure) -> MetadataKey {
        if predictsKeys {
            let hit: Bool
            switch expected {
            case .proactive: hit = consumeCompactKey("\"proactive\":")
            case .prefilled: hit = consumeCompactKey("\"prefilled\":")
            case .autoSubmitted: hit = consumeCompactKey("\"autoSubmitted\":")
            case .errors: hit = consumeCompactKey("\"errors\":")
            case .form: hit = consumeCompactKey("\"form\":")
            case .opened: hit = consumeCompactKey("\"opened\":")
            case .started: hit = consumeCompactKey("\"started\":")
            case .cancelled: hit = consumeCompactKey("\"cancelled\":")
            case .completed: hit = consumeCompactKey("\"completed\":")
            case .closed: hit = consumeCompactKey("\"closed\":")
            case .elapsed: hit = consumeCompactKey("\"elapsed\":")
            case .other: hit = false
            }
            if hit { return expected }
        }
        return MetadataKey(try memberKey())
    }
}
