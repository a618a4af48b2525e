/// A reusable, growable output byte buffer for encoders (no Foundation).
///
/// Call ``removeAll()`` between records: the capacity is kept, so steady-state encoding does
/// not allocate.
public struct OutputBuffer: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 2048) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Number of bytes written.
    public var count: Int { bytes.count }

    /// Forgets the content, keeping the capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with the written bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    /// The content as a `String` (allocates; for tests and the HTTP endpoint).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends one byte.
    public mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends raw bytes.
    public mutating func append(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
    }

    /// Appends the UTF-8 bytes of a literal.
    public mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal.
    public mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(magnitude: value.magnitude)
        } else {
            appendDecimal(magnitude: UInt64(value))
        }
    }

    /// Appends `value` in decimal.
    public mutating func appendDecimal(_ value: Int) {
        appendDecimal(Int64(value))
    }

    mutating func appendDecimal(magnitude: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch on the stack
        var v = magnitude
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                n += 1
                buf[24 - n] = UInt8(truncatingIfNeeded: v % 10) &+ UInt8(ascii: "0")
                v /= 10
            } while v > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(24 - n)...]))
        }
    }
}
