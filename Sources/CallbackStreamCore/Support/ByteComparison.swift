#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytewise equality and ordering of raw byte runs (the order `memcmp` defines, which for
/// UTF-8 is also Unicode code point order). Used for deterministic sorting of rendered lists.
@usableFromInline
enum ByteComparison {
    /// Whether both runs hold the same bytes.
    @inlinable
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return memcmp(pa, pb, a.count) == 0
    }

    /// Whether `a` holds exactly the UTF-8 bytes of `text`.
    @inlinable
    static func equal(_ a: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard a.count == text.utf8CodeUnitCount else { return false }
        guard a.count > 0, let pa = a.baseAddress else { return true }
        return memcmp(pa, text.utf8Start, a.count) == 0
    }

    /// Negative, zero or positive as `a` sorts before, equal to or after `b` (bytewise, shorter
    /// prefix first).
    @inlinable
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let c = memcmp(pa, pb, common)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }
}
