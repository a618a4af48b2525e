import Testing

@testable import CallbackStreamCore

@Suite struct SessionKeyHashTests {
    /// Every byte of keys of every length up to 64 (the short-key loads, the 16-byte blocks and
    /// the overlapping last block) changes the value, and equal keys hash equally.
    @Test func isSensitiveToEveryByteAndLength() {
        let hash = SessionKeyHash(secrets: (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210, 0x0F1E_2D3C_4B5A_6978))
        var seen = Set<UInt32>()
        for length in 0..<64 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let h = bytes.withUnsafeBytes { hash($0) }
            #expect(h == Array(bytes).withUnsafeBytes { hash($0) })
            seen.insert(h)
            for i in 0..<length {
                var flipped = bytes
                flipped[i] ^= 1
                seen.insert(flipped.withUnsafeBytes { hash($0) })
            }
        }
        #expect(seen.count == 64 + (0..<64).reduce(0, +))  // no collisions among these 2,080 keys
    }

    /// The secrets key the function: the same key hashes differently under other secrets.
    @Test func dependsOnTheSecrets() {
        let key = Array("3f2b9c1e-8d4a-4b6f-9e0a-1c2d3e4f5a6b".utf8)
        let a = SessionKeyHash(secrets: (1, 2, 3))
        let b = SessionKeyHash(secrets: (1, 2, 4))
        let c = SessionKeyHash(secrets: (5, 2, 3))
        let values = Set([a, b, c].map { h in key.withUnsafeBytes { h($0) } })
        #expect(values.count == 3)
    }
}
