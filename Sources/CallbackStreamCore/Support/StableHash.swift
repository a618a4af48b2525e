/// A fast, deterministic 64-bit hash of byte runs (same value on every run and machine,
/// unlike `Hasher`, which is seeded per process).
///
/// Used for event deduplication keys and the symbol table index. Not cryptographic: an
/// adversary can make collisions, which at worst makes two events look like duplicates
/// of each other inside one session.
public enum StableHash {
    @usableFromInline static let k0: UInt64 = 0xA076_1D64_78BD_642F
    @usableFromInline static let k1: UInt64 = 0xE703_7ED1_A0B4_28DB
    @usableFromInline static let k2: UInt64 = 0x8EBC_6AF0_9C88_C6E3

    /// Multiplies to 128 bits and folds: the mixing step of the wyhash family.
    @inlinable @inline(__always)
    static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// The hash of `bytes` under `seed` (different seeds give independent hash families).
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        var h = seed ^ mum(UInt64(truncatingIfNeeded: n) ^ k0, k1)
        guard n > 0, let base = bytes.baseAddress else { return finish(h) }
        var i = 0
        while i + 16 <= n {
            let a = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let b = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
            h = mum(a ^ k1 ^ h, b ^ k2)
            i += 16
        }
        var a: UInt64 = 0
        var b: UInt64 = 0
        let rest = n - i
        if rest >= 8 {
            a = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            b = tail(base + i + 8, rest - 8)
        } else {
            a = tail(base + i, rest)
        }
        h = mum(a ^ k1 ^ h, b ^ k2 ^ UInt64(truncatingIfNeeded: rest))
        return finish(h)
    }

    /// The hash of two integers under `seed`.
    @inlinable
    public static func hash(_ a: UInt64, _ b: UInt64, seed: UInt64 = 0) -> UInt64 {
        finish(mum(a ^ k1 ^ seed, b ^ k2) ^ mum(seed ^ k0, 16))
    }

    @inlinable @inline(__always)
    static func tail(_ p: UnsafeRawPointer, _ count: Int) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        var j = 0
        while j < count {
            v |= UInt64(p.load(fromByteOffset: j, as: UInt8.self)) << shift
            shift += 8
            j += 1
        }
        return v
    }

    @inlinable @inline(__always)
    static func finish(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}
