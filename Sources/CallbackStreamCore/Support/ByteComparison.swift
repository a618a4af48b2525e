#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytewise equality and ordering of raw byte runs (the order `memcmp` defines, which for
/// UTF-8 is also Unicode code point order). Used for deterministic sorting of rendered lists.
///
/// Runs of up to 32 bytes (JSON keys, event names, attribute keys and most values) are tested for
/// equality inline with two or four overlapping unaligned word loads per side instead of a
/// `memcmp` call; longer runs go to `memcmp`.
@usableFromInline
enum ByteComparison {
    /// Whether both runs hold the same bytes.
    @inlinable
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return equalBytes(pa, pb, a.count)
    }

    /// Whether `a` holds exactly the UTF-8 bytes of `text` (inlined, so that a literal's length
    /// and bytes are constants).
    @inlinable
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard a.count == text.utf8CodeUnitCount else { return false }
        guard a.count > 0, let pa = a.baseAddress else { return true }
        return equalBytes(pa, UnsafeRawPointer(text.utf8Start), a.count)
    }

    /// Whether the `n` (> 0) bytes at `pa` and `pb` are equal.
    @inlinable
    @inline(__always)
    static func equalBytes(_ pa: UnsafeRawPointer, _ pb: UnsafeRawPointer, _ n: Int) -> Bool {
        if n >= 8 {
            if n > 16 {
                guard n <= 32 else { return memcmp(pa, pb, n) == 0 }
                // Four 8-byte words: the first 16 bytes and the last 16 (overlapping when n < 32).
                return (pa.loadUnaligned(as: UInt64.self) ^ pb.loadUnaligned(as: UInt64.self))
                    | (pa.loadUnaligned(fromByteOffset: 8, as: UInt64.self) ^ pb.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                    | (pa.loadUnaligned(fromByteOffset: n - 16, as: UInt64.self)
                        ^ pb.loadUnaligned(fromByteOffset: n - 16, as: UInt64.self))
                    | (pa.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
                        ^ pb.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) == 0
            }
            // Two 8-byte words, overlapping when n < 16.
            return pa.loadUnaligned(as: UInt64.self) == pb.loadUnaligned(as: UInt64.self)
                && pa.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
                    == pb.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n >= 4 {
            return pa.loadUnaligned(as: UInt32.self) == pb.loadUnaligned(as: UInt32.self)
                && pa.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
                    == pb.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        var i = 0
        while i < n {
            if pa.load(fromByteOffset: i, as: UInt8.self) != pb.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    /// Negative, zero or positive as `a` sorts before, equal to or after `b` (bytewise, shorter
    /// prefix first).
    ///
    /// Up to 32 common bytes are compared as big-endian words (which order like their bytes):
    /// 8 bytes at a time, the last word overlapping the previous one (its shared bytes are known
    /// to be equal), or two overlapping 4-byte words for 4…7 bytes.
    @inlinable
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            if common >= 8 {
                guard common <= 32 else {
                    let c = memcmp(pa, pb, common)
                    if c != 0 { return Int(c) }
                    return a.count - b.count
                }
                var i = 0
                while i + 8 < common {
                    let x = UInt64(bigEndian: pa.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    let y = UInt64(bigEndian: pb.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    if x != y { return x < y ? -1 : 1 }
                    i += 8
                }
                let x = UInt64(bigEndian: pa.loadUnaligned(fromByteOffset: common - 8, as: UInt64.self))
                let y = UInt64(bigEndian: pb.loadUnaligned(fromByteOffset: common - 8, as: UInt64.self))
                if x != y { return x < y ? -1 : 1 }
            } else if common >= 4 {
                let x = UInt32(bigEndian: pa.loadUnaligned(as: UInt32.self))
                let y = UInt32(bigEndian: pb.loadUnaligned(as: UInt32.self))
                if x != y { return x < y ? -1 : 1 }
                let u = UInt32(bigEndian: pa.loadUnaligned(fromByteOffset: common - 4, as: UInt32.self))
                let v = UInt32(bigEndian: pb.loadUnaligned(fromByteOffset: common - 4, as: UInt32.self))
                if u != v { return u < v ? -1 : 1 }
            } else {
                var i = 0
                while i < common {
                    let x = pa.load(fromByteOffset: i, as: UInt8.self)
                    let y = pb.load(fromByteOffset: i, as: UInt8.self)
                    if x != y { return Int(x) - Int(y) }
                    i += 1
                }
            }
        }
        return a.count - b.count
    }
}
