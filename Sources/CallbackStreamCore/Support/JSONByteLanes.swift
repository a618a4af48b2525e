/// Tests over 8 bytes of JSON text at once (one `UInt64`, little-endian lanes), shared by the
/// decoder's string scan and the encoder's escaping. Each marks a lane with its high bit.
@usableFromInline
enum JSONByteLanes {
    /// The lanes that need escaping in a JSON string: `"`, `\` and controls below 0x20 (bytes
    /// ≥ 0x80 pass). Exact for the lowest marked lane (borrows only reach lanes above a marked
    /// one), which is all the callers use.
    @inlinable
    @inline(__always)
    static func needingEscape(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ (ones &* 0x22)
        let s = w ^ (ones &* 0x5C)
        let quote = (q &- ones) & ~q
        let slash = (s &- ones) & ~s
        let control = w &- (ones &* 0x20)
        return (quote | slash | control) & ~w & highs
    }

    /// The lanes that end a plain run of a JSON string being read: those of
    /// ``needingEscape(_:)`` plus every byte ≥ 0x80 (UTF-8 to validate).
    @inlinable
    @inline(__always)
    static func endingPlainRun(_ w: UInt64) -> UInt64 {
        needingEscape(w) | (w & 0x8080_8080_8080_8080)
    }
}
