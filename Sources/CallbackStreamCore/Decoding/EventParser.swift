/// The single-pass JSON reader behind ``LifecycleEventDecoder``: walks the raw UTF-8 bytes of
/// one record value, validates all of it as JSON, and picks out the contract's fields.
///
/// Syntax errors and limit violations stop the pass (`throws`); semantic problems (a wrong type,
/// an unknown event name) are noted and the pass continues, so a record that is not JSON at all
/// is always reported as `invalid_json`. Strings without escapes become views into the input;
/// strings with escapes are decoded into the scratch buffer, which is as large as the largest
/// accepted record (an unescaped string is never longer than its escaped form).
struct EventParser {
    let base: UnsafePointer<UInt8>
    let end: Int
    var pos = 0

    let maxDepth: Int
    let maxListEntries: Int
    /// Whether member keys are first matched against the key expected next
    /// (``topLevelKey(expecting:)``); off only to test that prediction changes nothing.
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
    mutating func skipWhitespace() {
        while pos < end {
            let b = base[pos]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            pos &+= 1
        }
    }

    /// The next byte, or 0 at the end of input (0 is never valid there in JSON).
    @inline(__always)
    func peek() -> UInt8 {
        pos < end ? base[pos] : 0
    }

    /// Consumes `{` and whitespace; returns whether the object has members.
    @inline(__always)
    mutating func beginObject(depth: Int) throws(DecodeFailure) -> Bool {
        guard depth <= maxDepth else {
            throw DecodeFailure(code: .tooLarge, message: "nesting exceeds the depth limit", offset: pos)
        }
        pos &+= 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            pos &+= 1
            return false
        }
        return true
    }

    /// Reads `"key" :` and the whitespace after it; returns the (unescaped) key.
    @inline(__always)
    mutating func memberKey() throws(DecodeFailure) -> ByteView {
        guard peek() == UInt8(ascii: "\"") else { throw .syntax("expected a string object key", at: pos) }
        pos &+= 1
        let key = try string(decode: true)
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw .syntax("expected ':' after an object key", at: pos) }
        pos &+= 1
        skipWhitespace()
        return key
    }

    /// After a member value: consumes `,` (returns true: another member follows) or `}`.
    @inline(__always)
    mutating func nextMember() throws(DecodeFailure) -> Bool {
        var b = peek()
        if b <= 0x20 {
            skipWhitespace()
            b = peek()
        }
        pos &+= 1
        if b == UInt8(ascii: ",") {
            if peek() <= 0x20 { skipWhitespace() }
            return true
        }
        if b == UInt8(ascii: "}") { return false }
        pos &-= 1
        throw .syntax("expected ',' or '}' in an object", at: pos)
    }

    /// Consumes `[` and whitespace; returns whether the array has elements.
    @inline(__always)
    mutating func beginArray(depth: Int) throws(DecodeFailure) -> Bool {
        guard depth <= maxDepth else {
            throw DecodeFailure(code: .tooLarge, message: "nesting exceeds the depth limit", offset: pos)
        }
        pos &+= 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            pos &+= 1
            return false
        }
        return true
    }

    /// After an element: consumes `,` (returns true: another element follows) or `]`.
    @inline(__always)
    mutating func nextElement() throws(DecodeFailure) -> Bool {
        var b = peek()
        if b <= 0x20 {
            skipWhitespace()
            b = peek()
        }
        pos &+= 1
        if b == UInt8(ascii: ",") {
            if peek() <= 0x20 { skipWhitespace() }
            return true
        }
        if b == UInt8(ascii: "]") { return false }
        pos &-= 1
        throw .syntax("expected ',' or ']' in an array", at: pos)
    }

    /// Validates and skips any JSON value starting at `pos`; `depth` is the depth the value
    /// would have if it is a container.
    mutating func skipValue(depth: Int) throws(DecodeFailure) {
        switch peek() {
        case UInt8(ascii: "\""):
            pos &+= 1
            _ = try string(decode: false)
        case UInt8(ascii: "{"):
            if try beginObject(depth: depth) {
                repeat {
                    _ = try memberKeySkipping()
                    try skipValue(depth: depth + 1)
                } while try nextMember()
            }
        case UInt8(ascii: "["):
            if try beginArray(depth: depth) {
                repeat {
                    try skipValue(depth: depth + 1)
                } while try nextElement()
            }
        case UInt8(ascii: "t"):
            try literal("true")
        case UInt8(ascii: "f"):
            try literal("false")
        case UInt8(ascii: "n"):
            try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try number()
        default:
            throw .syntax("expected a JSON value", at: pos)
        }
    }

    /// Like ``memberKey()`` but does not decode the key (for skipped objects).
    @inline(__always)
    mutating func memberKeySkipping() throws(DecodeFailure) {
        guard peek() == UInt8(ascii: "\"") else { throw .syntax("expected a string object key", at: pos) }
        pos &+= 1
        _ = try string(decode: false)
        try colon()
    }

    /// Consumes `:` after a key and the whitespace around it (compact JSON — the colon right
    /// after the key, the value right after it — takes no whitespace loop).
    @inline(__always)
    mutating func colon() throws(DecodeFailure) {
        if peek() != UInt8(ascii: ":") {
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw .syntax("expected ':' after an object key", at: pos) }
        }
        pos &+= 1
        if peek() <= 0x20 { skipWhitespace() }
    }

    /// Consumes the literal `text` (`true`, `false`, `null`).
    @inline(__always)
    mutating func literal(_ text: StaticString) throws(DecodeFailure) {
        let n = text.utf8CodeUnitCount
        guard end - pos >= n,
            ByteComparison.equal(UnsafeRawBufferPointer(start: base + pos, count: n), text)
        else { throw .syntax("invalid literal", at: pos) }
        pos &+= n
    }
}
