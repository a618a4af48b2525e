/// The single-pass JSON reader behind ``LifecycleEventDecoder``: walks the raw UTF-8 bytes of
/// one record value, validates all of it as JSON, and picks out the contract's fields.
///
/// Syntax errors and limit violations stop the pass (`throws`); semantic problems (a wrong type,
/// an unknown event name) are noted and the pass continues, so a record that is not JSON at all
/// is always reported as `invalid_json`. Strings without escapes become views into the input;
/// strings with escapes are decoded into the scratch buffer, which is as large as the largest
/// accepted record (an unescaped string is never longer than its escaped form).
///
/// The read position is not a stored property: each function that reads holds it in a local
/// cursor, `pos`, which it passes `inout` to the steps inlined into it (``skipWhitespace(_:)``,
/// ``memberKey(_:)``, ``nextMember(_:)``, …) and by value to the ones it calls (`from:` in, the
/// position after what they read out), so the cursor stays in a register instead of being
/// written to memory at every step.
struct EventParser {
    let base: UnsafePointer<UInt8>
    let end: Int

    let maxDepth: Int
    let maxListEntries: Int
    /// Whether member keys are first matched against the key expected next
    /// (``topLevelKey(_:expecting:)``); off only to test that prediction changes nothing.
    let predictsKeys: Bool

    let scratch: UnsafeMutablePointer<UInt8>
    var scratchUsed = 0

    let errorStore: UnsafeMutablePointer<ByteView>
    let formStore: UnsafeMutablePointer<ByteView>
    let attributeStore: UnsafeMutablePointer<ByteView>
    var errorCount = 0
    var formCount = 0
    var attributeCount = 0

    /// First semantic problem noticed, if any.
    var problem: DecodeFailure?

    // Fields found so far.
    var interactionId: ByteView?
    var eventName: LifecycleEventName?
    var timestamp: Int64?
    var eventId: ByteView?
    /// The `metadata` block read so far, valid when ``hasMetadata`` (kept apart from that flag,
    /// not as an optional, so that it is filled in place rather than copied).
    var metadata = EventMetadata()
    var hasMetadata = false
    var hasForm = false

    init(
        value: UnsafeRawBufferPointer,
        maxDepth: Int,
        maxListEntries: Int,
        scratch: UnsafeMutablePointer<UInt8>,
        errorStore: UnsafeMutablePointer<ByteView>,
        formStore: UnsafeMutablePointer<ByteView>,
        attributeStore: UnsafeMutablePointer<ByteView>,
        predictsKeys: Bool = true
    ) {
        // A non-empty buffer always has a base address; an empty one is rejected before parsing.
        self.base = value.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self)
        self.end = value.count
        self.maxDepth = maxDepth
        self.maxListEntries = maxListEntries
        self.scratch = scratch
        self.errorStore = errorStore
        self.formStore = formStore
        self.attributeStore = attributeStore
        self.predictsKeys = predictsKeys
    }

    /// Notes a semantic problem (only the first one is kept).
    @inline(__always)
    mutating func note(
        _ code: RejectionCode, _ message: StaticString, field: StaticString, index: Int = -1, at offset: Int
    ) {
        if problem == nil {
            problem = DecodeFailure(code: code, message: message, field: field, index: index, offset: offset)
        }
    }

    /// A view of input bytes `start..<stop` (0 ≤ `start` ≤ `stop` ≤ `end`: the count cannot overflow).
    @inline(__always)
    func inputView(_ start: Int, _ stop: Int) -> ByteView {
        ByteView(UnsafeRawBufferPointer(start: base + start, count: stop &- start))
    }

    // MARK: - Structure

    @inline(__always)
    func skipWhitespace(_ pos: inout Int) {
        while pos < end {
            let b = base[pos]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            pos &+= 1
        }
    }

    /// The byte at `pos`, or 0 at the end of input (0 is never valid there in JSON).
    @inline(__always)
    func peek(_ pos: Int) -> UInt8 {
        pos < end ? base[pos] : 0
    }

    /// Consumes `{` and whitespace; returns whether the object has members.
    @inline(__always)
    func beginObject(_ pos: inout Int, depth: Int) throws(DecodeFailure) -> Bool {
        guard depth <= maxDepth else {
            throw DecodeFailure(code: .tooLarge, message: "nesting exceeds the depth limit", offset: pos)
        }
        pos &+= 1
        skipWhitespace(&pos)
        if peek(pos) == UInt8(ascii: "}") {
            pos &+= 1
            return false
        }
        return true
    }

    /// Reads `"key" :` and the whitespace after it; returns the (unescaped) key.
    @inline(__always)
    mutating func memberKey(_ pos: inout Int) throws(DecodeFailure) -> ByteView {
        guard peek(pos) == UInt8(ascii: "\"") else { throw .syntax("expected a string object key", at: pos) }
        pos &+= 1
        let key = try string(&pos, decode: true)
        skipWhitespace(&pos)
        guard peek(pos) == UInt8(ascii: ":") else { throw .syntax("expected ':' after an object key", at: pos) }
        pos &+= 1
        skipWhitespace(&pos)
        return key
    }

    /// Reads `"key" :` as ``memberKey(_:)`` does and, when the value's opening quote follows the
    /// key compactly (`"key":"`), consumes that quote too; returns the key and whether it did.
    /// (Always inlined: `@inline(__always)` alone left it a call in ``formValue(from:)``.)
    @inline(always)
    mutating func memberKeyOpeningString(_ pos: inout Int) throws(DecodeFailure) -> (key: ByteView, opened: Bool) {
        guard peek(pos) == UInt8(ascii: "\"") else { throw .syntax("expected a string object key", at: pos) }
        pos &+= 1
        let key = try string(&pos, decode: true)
        if end &- pos >= 2 && base[pos] == UInt8(ascii: ":") && base[pos &+ 1] == UInt8(ascii: "\"") {
            pos &+= 2
            return (key, true)
        }
        skipWhitespace(&pos)
        guard peek(pos) == UInt8(ascii: ":") else { throw .syntax("expected ':' after an object key", at: pos) }
        pos &+= 1
        skipWhitespace(&pos)
        return (key, false)
    }

    /// After a member value: consumes `,` (returns true: another member follows) or `}`.
    @inline(__always)
    func nextMember(_ pos: inout Int) throws(DecodeFailure) -> Bool {
        var b = peek(pos)
        if b <= 0x20 {
            skipWhitespace(&pos)
            b = peek(pos)
        }
        pos &+= 1
        if b == UInt8(ascii: ",") {
            if peek(pos) <= 0x20 { skipWhitespace(&pos) }
            return true
        }
        if b == UInt8(ascii: "}") { return false }
        pos &-= 1
        throw .syntax("expected ',' or '}' in an object", at: pos)
    }

    /// Consumes `[` and whitespace; returns whether the array has elements.
    @inline(__always)
    func beginArray(_ pos: inout Int, depth: Int) throws(DecodeFailure) -> Bool {
        guard depth <= maxDepth else {
            throw DecodeFailure(code: .tooLarge, message: "nesting exceeds the depth limit", offset: pos)
        }
        pos &+= 1
        skipWhitespace(&pos)
        if peek(pos) == UInt8(ascii: "]") {
            pos &+= 1
            return false
        }
        return true
    }

    /// After an element: consumes `,` (returns true: another element follows) or `]`.
    @inline(__always)
    func nextElement(_ pos: inout Int) throws(DecodeFailure) -> Bool {
        var b = peek(pos)
        if b <= 0x20 {
            skipWhitespace(&pos)
            b = peek(pos)
        }
        pos &+= 1
        if b == UInt8(ascii: ",") {
            if peek(pos) <= 0x20 { skipWhitespace(&pos) }
            return true
        }
        if b == UInt8(ascii: "]") { return false }
        pos &-= 1
        throw .syntax("expected ',' or ']' in an array", at: pos)
    }

    /// Validates and skips any JSON value starting at `start`; `depth` is the depth the value
    /// would have if it is a container. Returns the position after the value.
    mutating func skipValue(from start: Int, depth: Int) throws(DecodeFailure) -> Int {
        var pos = start
        switch peek(pos) {
        case UInt8(ascii: "\""):
            pos &+= 1
            _ = try string(&pos, decode: false)
        case UInt8(ascii: "{"):
            if try beginObject(&pos, depth: depth) {
                repeat {
                    try memberKeySkipping(&pos)
                    pos = try skipValue(from: pos, depth: depth + 1)
                } while try nextMember(&pos)
            }
        case UInt8(ascii: "["):
            if try beginArray(&pos, depth: depth) {
                repeat {
                    pos = try skipValue(from: pos, depth: depth + 1)
                } while try nextElement(&pos)
            }
        case UInt8(ascii: "t"):
            try literal("true", &pos)
        case UInt8(ascii: "f"):
            try literal("false", &pos)
        case UInt8(ascii: "n"):
            try literal("null", &pos)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            pos = try number(from: pos).end
        default:
            throw .syntax("expected a JSON value", at: pos)
        }
        return pos
    }

    /// Like ``memberKey(_:)`` but does not decode the key (for skipped objects).
    @inline(__always)
    mutating func memberKeySkipping(_ pos: inout Int) throws(DecodeFailure) {
        guard peek(pos) == UInt8(ascii: "\"") else { throw .syntax("expected a string object key", at: pos) }
        pos &+= 1
        _ = try string(&pos, decode: false)
        try colon(&pos)
    }

    /// Consumes `:` after a key and the whitespace around it (compact JSON — the colon right
    /// after the key, the value right after it — takes no whitespace loop).
    @inline(__always)
    func colon(_ pos: inout Int) throws(DecodeFailure) {
        if peek(pos) != UInt8(ascii: ":") {
            skipWhitespace(&pos)
            guard peek(pos) == UInt8(ascii: ":") else { throw .syntax("expected ':' after an object key", at: pos) }
        }
        pos &+= 1
        if peek(pos) <= 0x20 { skipWhitespace(&pos) }
    }

    /// Consumes the literal `text` (`true`, `false`, `null`).
    @inline(__always)
    func literal(_ text: StaticString, _ pos: inout Int) throws(DecodeFailure) {
        let n = text.utf8CodeUnitCount
        guard end - pos >= n,
            ByteComparison.equal(UnsafeRawBufferPointer(start: base + pos, count: n), text)
        else { throw .syntax("invalid literal", at: pos) }
        pos &+= n
    }
}
