/// The 32-bit hash of interaction ids that a ``SessionIndex`` files its keys under.
///
/// ``StableHash/keyed(_:_:_:_:)`` (16 bytes per 128-bit multiply, short keys and tails read with a
/// few overlapping loads: a 36-byte UUID costs four multiplies) with secrets drawn from the
/// system's random source when the store is created. Both halves of every multiply are mixed
/// with a secret, so — like the per-process
/// seed of `Hasher` (SipHash), which it replaces on the per-event path — the hash values differ
/// from store to store and run to run, and a producer cannot choose keys that collide in the
/// table without knowing the secrets. Nothing depends on the values beyond the table's
/// probe sequence: the store's order of closes is by deadline and key bytes.
struct SessionKeyHash: Sendable {
    private let secret0: UInt64
    private let secret1: UInt64
    private let secret2: UInt64

    /// A hash with fresh random secrets.
    init() {
        var random = SystemRandomNumberGenerator()
        secret0 = random.next()
        secret1 = random.next()
        secret2 = random.next()
    }

    /// A hash with the given secrets (for tests: reproducible values).
    init(secrets: (UInt64, UInt64, UInt64)) {
        (secret0, secret1, secret2) = secrets
    }

    /// The hash of `key`.
    @inline(__always)
    func callAsFunction(_ key: UnsafeRawBufferPointer) -> UInt32 {
        StableHash.keyed(key, secret0, secret1, secret2)
    }
}
