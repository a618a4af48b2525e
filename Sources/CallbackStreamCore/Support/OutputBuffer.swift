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
        UnsafeMutableRawPointer(reserve(n)).copyMemory(from: source, byteCount: n)
        used += n
    }

    /// Appends the UTF-8 bytes of a literal (inlined: a constant-size copy).
    @inlinable
    @inline(__always)
    public mutating func append(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        reserve(n).update(from: text.utf8Start, count: n)
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

    /// Appends the digits of `magnitude`, written backwards straight into the block.
    @usableFromInline
    mutating func appendDecimal(magnitude: UInt64) {
        var digits = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        let p = reserve(digits)
        var v = magnitude
        var i = digits
        repeat {
            i -= 1
            p[i] = UInt8(truncatingIfNeeded: v % 10) &+ UInt8(ascii: "0")
            v /= 10
        } while i > 0
        used += digits
    }
}
