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

    /// A 32-bit hash of `bytes` keyed by three 64-bit secrets (a different function from
    /// ``hash(_:seed:)``, for hash tables): 16 bytes per 128-bit multiply, with inputs of up to
    /// 16 bytes, and the last 16 of longer ones, read with a few overlapping loads rather than
    /// byte by byte. Every multiply mixes a secret into both operands, so without the secrets
    /// colliding inputs cannot be chosen (``SessionKeyHash`` draws them at random).
    @inlinable @inline(__always)
    static func keyed(_ bytes: UnsafeRawBufferPointer, _ secret0: UInt64, _ secret1: UInt64, _ secret2: UInt64) -> UInt32 {
        let n = bytes.count
        var state = secret0 ^ UInt64(truncatingIfNeeded: n)
        var a: UInt64 = 0
        var b: UInt64 = 0
        if n > 0, let p = bytes.baseAddress {
            if n <= 16 {
                // Wrapping arithmetic: every offset lies inside the n bytes.
                if n >= 4 {
                    // Two or four overlapping 4-byte loads cover 4…16 bytes.
                    let step = (n >> 3) << 2
                    a = load32(p, 0) << 32 | load32(p, step)
                    b = load32(p, n &- 4) << 32 | load32(p, n &- 4 &- step)
                } else {
                    a = UInt64(p.load(as: UInt8.self)) << 16
                        | UInt64(p.load(fromByteOffset: n >> 1, as: UInt8.self)) << 8
                        | UInt64(p.load(fromByteOffset: n &- 1, as: UInt8.self))
                }
            } else {
                var i = 0
                while n &- i > 16 {
                    state = mum(load64(p, i) ^ secret1, load64(p, i &+ 8) ^ state)
                    i &+= 16
                }
                // The last 16 bytes (overlapping the previous block when n is not a multiple of 16).
                a = load64(p, n &- 16)
                b = load64(p, n &- 8)
            }
        }
        let h = mum(secret1 ^ UInt64(truncatingIfNeeded: n), mum(a ^ secret1, b ^ state) ^ secret2)
        return UInt32(truncatingIfNeeded: h ^ h >> 32)
    }

    @inlinable @inline(__always)
    static func load64(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always)
    static func load32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    /// The hash of two integers under `seed`.
    @inlinable
    public static func hash(_ a: UInt64, _ b: UInt64, seed: UInt64 = 0) -> UInt64 {
        finish(mum(a ^ k1 ^ seed, b ^ k2) ^ mum(seed ^ k0, 16))
    }

    /// The `count` (0…7) bytes at `p` as a little-endian integer, read with at most three loads
    /// (overlapping ones agree on the shared bytes, so OR-ing them gives the same value as
    /// assembling the bytes one by one).
    @inlinable @inline(__always)
    static func tail(_ p: UnsafeRawPointer, _ count: Int) -> UInt64 {
        if count >= 4 {
            let low = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
            return low | high << UInt64(8 * (count - 4))
        }
        guard count > 0 else { return 0 }
        let middle = count >> 1
        return UInt64(p.load(as: UInt8.self))
            | UInt64(p.load(fromByteOffset: middle, as: UInt8.self)) << UInt64(8 * middle)
            | UInt64(p.load(fromByteOffset: count - 1, as: UInt8.self)) << UInt64(8 * (count - 1))
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
