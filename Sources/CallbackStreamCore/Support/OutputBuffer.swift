/// A reusable, growable output byte buffer for encoders (no Foundation).
///
/// Call ``removeAll()`` between records: the capacity is kept, so steady-state encoding does
/// not allocate.
///
/// The bytes live in one malloc'd block owned by a private class (copied on write, like an
/// array), written through a raw pointer: an append is a capacity check, a uniqueness check and
/// a copy, without `Array.append(contentsOf:)`'s generic machinery.
public struct OutputBuffer: Sendable {
    /// The block: `capacity` bytes at `base`, freed with the object. Never mutated after init
    /// except through a uniquely referenced ``OutputBuffer``.
    @usableFromInline
    final class Storage: @unchecked Sendable {
        @usableFromInline let base: UnsafeMutablePointer<UInt8>
        @usableFromInline let capacity: Int

        @usableFromInline
        init(capacity: Int) {
            self.capacity = max(capacity, 16)
            base = .allocate(capacity: self.capacity)
        }

        deinit { base.deallocate() }
    }

    @usableFromInline var storage: Storage
    @usableFromInline var used = 0

    /// Creates an empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 2048) {
        storage = Storage(capacity: capacity)
    }

    /// The bytes written so far (a copy).
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage.base, count: used)) }

    /// Number of bytes written.
    @inlinable
    public var count: Int { used }

    /// Forgets the content, keeping the capacity.
    @inlinable
    public mutating func removeAll() {
        used = 0
    }

    /// Calls `body` with the written bytes.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.base, count: used))
    }

    /// The content as a `String` (allocates; for tests and the HTTP endpoint).
    public var string: String { String(decoding: UnsafeBufferPointer(start: storage.base, count: used), as: UTF8.self) }

    /// Makes room for `n` more bytes in a uniquely referenced block; returns where they go.
    @inlinable
    @inline(__always)
    mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(storage.capacity - used < n || !isKnownUniquelyReferenced(&storage)) { grow(adding: n) }
        return storage.base + used
    }

    /// Replaces the block with a unique one of at least `used + n` bytes (1.5× growth).
    @usableFromInline
    mutating func grow(adding n: Int) {
        var capacity = storage.capacity
        while capacity - used < n { capacity += capacity >> 1 }
        let fresh = Storage(capacity: capacity)
        fresh.base.update(from: storage.base, count: used)
        storage = fresh
    }

    /// Appends one byte.
    @inlinable
    @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserve(1).pointee = byte
        used += 1
    }

    /// Appends raw bytes.
    @inlinable
    public mutating func append(_ raw: UnsafeRawBufferPointer) {
        let n = raw.count
        guard n > 0, let source = raw.baseAddress else { return }
        Self.copyBytes(from: source, to: reserve(n), count: n)
        used += n
    }

    /// Copies `count` bytes: up to 16 inline with two overlapping loads and stores (most keys,
    /// codes and attribute values), longer runs with `memcpy`.
    @inlinable
    @inline(__always)
    static func copyBytes(from source: UnsafeRawPointer, to target: UnsafeMutablePointer<UInt8>, count n: Int) {
        let t = UnsafeMutableRawPointer(target)
        if n >= 8 && n <= 16 {
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            t.storeBytes(of: head, as: UInt64.self)
            t.storeBytes(of: tail, toByteOffset: n - 8, as: UInt64.self)
        } else if n >= 4 && n < 8 {
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            t.storeBytes(of: head, as: UInt32.self)
            t.storeBytes(of: tail, toByteOffset: n - 4, as: UInt32.self)
        } else if n < 4 {
            for i in 0..<n { target[i] = source.load(fromByteOffset: i, as: UInt8.self) }
        } else {
            t.copyMemory(from: source, byteCount: n)
        }
    }

    /// Appends the UTF-8 bytes of a literal (inlined: a constant-size copy; a literal chosen at
    /// run time, such as an event name, is copied inline too, without a `memcpy` call).
    @inlinable
    @inline(__always)
    public mutating func append(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        Self.copyBytes(from: text.utf8Start, to: reserve(n), count: n)
        used += n
    }

    /// Appends `value` in decimal.
    @inlinable
    public mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendDecimal(magnitude: value.magnitude)
        } else {
            appendDecimal(magnitude: UInt64(value))
        }
    }

    /// Appends `value` in decimal.
    @inlinable
    public mutating func appendDecimal(_ value: Int) {
        appendDecimal(Int64(value))
    }

    /// Appends the digits of `magnitude`; a single digit (the common count or bin) is one byte
    /// written inline, longer numbers go through ``appendDigits(_:)``.
    @inlinable
    @inline(__always)
    mutating func appendDecimal(magnitude: UInt64) {
        if magnitude < 10 {
            append(UInt8(truncatingIfNeeded: magnitude) &+ UInt8(ascii: "0"))
        } else {
            appendDigits(magnitude)
        }
    }

    /// The 100 two-digit pairs `00` … `99`, for writing two digits per division.
    @usableFromInline
    static var digitPairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    /// Appends the digits of `magnitude` (at least 10) straight into the block.
    @usableFromInline
    mutating func appendDigits(_ magnitude: UInt64) {
        let count = Self.decimalDigitCount(magnitude)
        Self.writeDigits(of: magnitude, count: count, at: reserve(count))
        used += count
    }

    /// The most bytes ``appendDecimal(_:)-(Int64)`` writes (`-9223372036854775808`).
    @inlinable
    static var maximumDecimalLength: Int { 20 }

    /// The number of decimal digits of `value` (1 for 0), by a tree of comparisons (4 or 5 for
    /// the usual sizes; no division).
    @inlinable
    static func decimalDigitCount(_ v: UInt64) -> Int {
        if v < 10_000_000_000 {
            if v < 100_000 {
                if v < 100 { return v < 10 ? 1 : 2 }
                if v < 1_000 { return 3 }
                return v < 10_000 ? 4 : 5
            }
            if v < 10_000_000 { return v < 1_000_000 ? 6 : 7 }
            if v < 100_000_000 { return 8 }
            return v < 1_000_000_000 ? 9 : 10
        }
        if v < 1_000_000_000_000_000 {
            if v < 1_000_000_000_000 { return v < 100_000_000_000 ? 11 : 12 }
            if v < 10_000_000_000_000 { return 13 }
            return v < 100_000_000_000_000 ? 14 : 15
        }
        if v < 100_000_000_000_000_000 { return v < 10_000_000_000_000_000 ? 16 : 17 }
        if v < 1_000_000_000_000_000_000 { return 18 }
        return v < 10_000_000_000_000_000_000 ? 19 : 20
    }

    /// Writes the `count` (``decimalDigitCount(_:)``) digits of `magnitude` at `p`, backwards:
    /// four per division by 10,000 (two pairs from ``digitPairs``), then the last one to three.
    @inlinable
    static func writeDigits(of magnitude: UInt64, count: Int, at p: UnsafeMutablePointer<UInt8>) {
        let pairs = digitPairs.utf8Start
        var v = magnitude
        var i = count
        while v >= 10_000 {
            let q = v / 10_000
            let r = Int(truncatingIfNeeded: v &- q &* 10_000)
            let high = (r &* 5243) &>> 19  // r / 100 for r < 10,000
            let low = (r &- high &* 100) &<< 1
            i &-= 4
            p[i] = pairs[high &<< 1]
            p[i &+ 1] = pairs[(high &<< 1) &+ 1]
            p[i &+ 2] = pairs[low]
            p[i &+ 3] = pairs[low &+ 1]
            v = q
        }
        if v >= 100 {
            let q = v / 100
            let pair = Int(truncatingIfNeeded: v &- q &* 100) &<< 1
            i &-= 2
            p[i] = pairs[pair]
            p[i &+ 1] = pairs[pair &+ 1]
            v = q
        }
        if v >= 10 {
            let pair = Int(truncatingIfNeeded: v) &<< 1
            p[0] = pairs[pair]
            p[1] = pairs[pair &+ 1]
        } else {
            p[0] = UInt8(truncatingIfNeeded: v) &+ UInt8(ascii: "0")
        }
    }

    /// Lets `body` write at most `maximumCount` bytes at the end of the buffer through a
    /// ``Reserved`` cursor, and keeps what it wrote: one capacity and uniqueness check for the
    /// whole run of small appends (a fixed-layout stretch of a record) instead of one per append.
    @inlinable
    mutating func appendReserved(upTo maximumCount: Int, _ body: (inout Reserved) -> Void) {
        let start = reserve(maximumCount)
        var room = Reserved(start: start, count: maximumCount)
        body(&room)
        used += room.cursor - start
    }

    /// Room reserved at the end of an ``OutputBuffer`` by ``appendReserved(upTo:_:)``, filled front
    /// to back. Every write checks that it stays inside the room (a wrong bound traps instead of
    /// overwriting memory).
    @usableFromInline
    struct Reserved {
        @usableFromInline var cursor: UnsafeMutablePointer<UInt8>
        @usableFromInline let end: UnsafeMutablePointer<UInt8>

        @inlinable
        init(start: UnsafeMutablePointer<UInt8>, count: Int) {
            cursor = start
            end = start + count
        }

        /// Takes the next `n` bytes of the room.
        @inlinable
        @inline(__always)
        mutating func claim(_ n: Int) -> UnsafeMutablePointer<UInt8> {
            precondition(end - cursor >= n, "OutputBuffer.Reserved: more bytes written than reserved")
            let p = cursor
            cursor += n
            return p
        }

        /// Appends one byte.
        @inlinable
        @inline(__always)
        mutating func append(_ byte: UInt8) {
            claim(1).pointee = byte
        }

        /// Appends the UTF-8 bytes of a literal.
        @inlinable
        @inline(__always)
        mutating func append(_ text: StaticString) {
            let n = text.utf8CodeUnitCount
            OutputBuffer.copyBytes(from: text.utf8Start, to: claim(n), count: n)
        }

        /// Appends raw bytes.
        @inlinable
        mutating func append(_ raw: UnsafeRawBufferPointer) {
            let n = raw.count
            guard n > 0, let source = raw.baseAddress else { return }
            UnsafeMutableRawPointer(claim(n)).copyMemory(from: source, byteCount: n)
        }

        /// Appends `value` in decimal (at most ``OutputBuffer/maximumDecimalLength`` bytes).
        @inlinable
        mutating func appendDecimal(_ value: Int64) {
            if value < 0 { append(UInt8(ascii: "-")) }
            appendDecimal(magnitude: value.magnitude)
        }

        /// Appends `value` in decimal.
        @inlinable
        mutating func appendDecimal(_ value: Int) {
            appendDecimal(Int64(value))
        }

        /// Appends the digits of `magnitude`.
        @inlinable
        mutating func appendDecimal(magnitude: UInt64) {
            if magnitude < 10 {
                append(UInt8(truncatingIfNeeded: magnitude) &+ UInt8(ascii: "0"))
            } else {
                let count = OutputBuffer.decimalDigitCount(magnitude)
                OutputBuffer.writeDigits(of: magnitude, count: count, at: claim(count))
            }
        }

        /// Appends the integer or `null`.
        @inlinable
        mutating func appendJSONInteger(_ value: Int64?) {
            if let value { appendDecimal(value) } else { append("null") }
        }

        /// Appends `true` or `false`.
        @inlinable
        mutating func appendJSONBool(_ value: Bool) {
            if value { append("true") } else { append("false") }
        }

        /// Appends a JSON string for a literal known to need no escaping.
        @inlinable
        @inline(__always)
        mutating func appendJSONLiteralString(_ text: StaticString) {
            append(UInt8(ascii: "\""))
            append(text)
            append(UInt8(ascii: "\""))
        }
    }
}
