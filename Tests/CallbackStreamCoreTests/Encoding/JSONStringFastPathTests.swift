import Testing

@testable import CallbackStreamCore

/// The word-at-a-time scan behind ``OutputBuffer/appendJSONString(_:)`` and
/// ``OutputBuffer/appendWindowJSONString(_:)-(UnsafeRawBufferPointer)`` (whole words, an
/// overlapping last word, two overlapping halves for 4–7 bytes) against a byte-by-byte
/// reference, with one interesting byte at every position of every length around the word sizes.
@Suite struct JSONStringFastPathTests {
    /// The quoted reference; `letters` as in ``ReferenceJSONEscape/content(_:letters:)``.
    static func reference(_ bytes: [UInt8], letters: Bool) -> [UInt8] {
        [0x22] + ReferenceJSONEscape.content(bytes, letters: letters) + [0x22]
    }

    @Test func quotedStringsMatchTheReference() {
        let interesting: [UInt8] = [0x00, 0x08, 0x0A, 0x0C, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xFF]
        for length in 0...25 {
            let plain = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            var cases = [plain]
            for position in 0..<length {
                for byte in interesting {
                    var bytes = plain
                    bytes[position] = byte
                    cases.append(bytes)
                }
            }
            // Two specials: the first decides where the fast path stops.
            if length >= 2 { cases.append([0x22] + plain.dropFirst(2) + [0x5C]) }
            for bytes in cases {
                var summary = OutputBuffer(capacity: 1)
                var window = OutputBuffer(capacity: 1)
                bytes.withUnsafeBytes {
                    summary.appendJSONString($0)
                    window.appendWindowJSONString($0)
                }
                #expect(summary.bytes == Self.reference(bytes, letters: true), "\(bytes)")
                #expect(window.bytes == Self.reference(bytes, letters: false), "\(bytes)")
            }
        }
    }

    @Test func shortCopiesAppendExactly() {
        var out = OutputBuffer(capacity: 1)
        var expected: [UInt8] = []
        for length in 0...40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ length) }
            bytes.withUnsafeBytes { out.append($0) }
            expected += bytes
        }
        #expect(out.bytes == expected)
    }

    /// Decimals (digit count by comparisons, four digits per division) against `String(_:)`, at
    /// every power of ten and its neighbours, the extremes, and a spread of other values; through
    /// the buffer and through reserved room.
    @Test func decimalsMatchStringConversion() {
        var values: [Int64] = [0, 1, 9, 10, 11, 99, 100, 101, .max, .max - 1, .min, .min + 1]
        var power: Int64 = 1
        for _ in 0..<19 {
            values += [power - 1, power, power + 1, -power, -(power - 1), 9 * power]
            if power <= Int64.max / 10 { values.append(9 * power + (power - 1)) }
            if power <= Int64.max / 10 { power *= 10 }
        }
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            values.append(Int64(bitPattern: x) >> Int64(x % 63))
        }
        for value in values {
            var out = OutputBuffer(capacity: 1)
            out.appendDecimal(value)
            out.appendReserved(upTo: OutputBuffer.maximumDecimalLength + 1) { room in
                room.append(UInt8(ascii: ","))
                room.appendDecimal(value)
            }
            #expect(out.string == "\(value),\(value)")
        }
        var bins = OutputBuffer(capacity: 1)
        bins.appendDecimal(magnitude: UInt64.max)
        #expect(bins.string == String(UInt64.max))
    }
}
