import TestSupport
import Testing

@testable import CallbackStreamCore

/// The word-at-a-time fast paths (byte comparison, JSON string escaping, decimal digits) against
/// plain byte-by-byte reference implementations, on random and boundary inputs.
@Suite struct FastPathEquivalenceTests {
    /// Bytes biased towards the interesting ones: quotes, backslashes, controls, high bytes.
    static func randomBytes(_ count: Int, _ rng: inout SeededRandom) -> [UInt8] {
        let interesting: [UInt8] = [0x00, 0x01, 0x08, 0x1F, 0x20, 0x21, 0x22, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF, 0x41]
        return (0..<count).map { _ in
            rng.next() % 3 == 0 ? interesting[Int(rng.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: rng.next())
        }
    }

    static func referenceCompare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    @Test func escapingMatchesTheByteByByteReference() {
        var rng = SeededRandom(seed: 11)
        for length in 0..<48 {
            for _ in 0..<60 {
                // Mostly plain text with one special byte placed anywhere (word boundaries included).
                var bytes = (0..<length).map { _ in UInt8(0x20 + rng.next() % 0x5F) }.map { $0 == 0x22 || $0 == 0x5C ? 0x41 : $0 }
                if length > 0, rng.next() % 2 == 0 {
                    bytes[Int(rng.next() % UInt64(length))] = Self.randomBytes(1, &rng)[0]
                }
                if rng.next() % 4 == 0 { bytes = Self.randomBytes(length, &rng) }
                var out = OutputBuffer(capacity: 1)
                out.append("x")
                bytes.withUnsafeBytes { out.appendJSONStringContent($0) }
                #expect(out.bytes == [UInt8(ascii: "x")] + ReferenceJSONEscape.content(bytes, letters: true), "\(bytes)")
            }
        }
    }

    @Test func comparisonMatchesTheByteByByteReference() {
        var rng = SeededRandom(seed: 12)
        for _ in 0..<20_000 {
            let a = Self.randomBytes(Int(rng.next() % 40), &rng)
            var b = a
            switch rng.next() % 4 {
            case 0: b = Self.randomBytes(Int(rng.next() % 40), &rng)
            case 1: if !b.isEmpty { b[Int(rng.next() % UInt64(b.count))] ^= UInt8(1 << (rng.next() % 8)) }
            case 2: b = Array(b.prefix(Int(rng.next() % UInt64(b.count + 1))))
            default: break
            }
            a.withUnsafeBytes { pa in
                b.withUnsafeBytes { pb in
                    let expected = Self.referenceCompare(a, b)
                    #expect(ByteComparison.compare(pa, pb).signum() == expected, "\(a) \(b)")
                    #expect(ByteComparison.equal(pa, pb) == (expected == 0), "\(a) \(b)")
                }
            }
        }
    }

    @Test func literalComparisonAndDecimals() {
        let keys: [StaticString] = ["", "a", "form", "event", "closed", "eventId", "metadata", "proactive", "attributes", "interactionId", "autoSubmitted"]
        let texts = ["", "a", "b", "form", "forn", "event", "closed", "opened", "eventId", "eventIe", "metadata", "proactive", "prefilled",
                     "attributes", "interactionId", "interactionIe", "autoSubmitted", "xutoSubmitted", "proactivf"]
        for key in keys {
            let keyText = key.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
            for text in texts {
                var copy = text
                copy.withUTF8 { #expect(ByteComparison.equal(UnsafeRawBufferPointer($0), key) == (text == keyText)) }
            }
        }
        var out = OutputBuffer(capacity: 1)
        let values: [Int64] = [0, 7, 9, 10, 99, 100, 1_767_225_600_000, Int64.max, Int64.min, -1, -10]
        for value in values {
            out.removeAll()
            out.appendDecimal(value)
            #expect(out.string == String(value))
        }
    }

    @Test func copiesOfABufferAreIndependent() {
        var a = OutputBuffer(capacity: 4)
        a.append("abc")
        var b = a
        b.append("def")
        a.append("X")
        #expect(a.string == "abcX")
        #expect(b.string == "abcdef")
        b.removeAll()
        #expect(a.string == "abcX")
    }

    /// Integers of every length (8 digits at a time in the decoder), with and without a trailing
    /// non-digit inside the 8-byte word, against Swift's own parsing.
    @Test func timestampsOfEveryLengthDecodeExactly() {
        var rng = SeededRandom(seed: 13)
        for length in 1...24 {
            for _ in 0..<40 {
                var digits = String(1 + rng.next() % 9)
                for _ in 1..<length { digits += String(rng.next() % 10) }
                for tail in ["}", ",\"eventId\":\"e\"}", "5}", ".5}", "e3}"] {
                    let json = #"{"interactionId":"cb-1","event":"ready","timestamp":\#(digits)\#(tail)"#
                    let text = digits + (tail.hasPrefix("5") ? "5" : "")
                    let value = Int64(text)
                    let isInteger = !tail.hasPrefix(".") && !tail.hasPrefix("e")
                    switch decodeOwned(json) {
                    case .success(let event):
                        #expect(isInteger && value != nil && value! <= LifecycleEvent.maxTimestamp && event.timestamp == value!, "\(json)")
                    case .failure(let rejection):
                        #expect(!(isInteger && value != nil && value! <= LifecycleEvent.maxTimestamp), "\(json): \(rejection)")
                        #expect(rejection.code == .badType, "\(json)")
                    }
                }
            }
        }
    }

    /// The count of leading digits in a word (the decoder's last partial block of a number)
    /// against a byte-by-byte count, with every non-digit (high bytes that carry included) at
    /// every position.
    @Test func leadingDigitCountMatchesTheByteByByteReference() {
        var rng = SeededRandom(seed: 14)
        for position in 0..<8 {
            for stop in 0...255 where !(0x30...0x39).contains(stop) {
                for _ in 0..<4 {
                    var bytes = (0..<8).map { _ in UInt8(0x30 + rng.next() % 10) }
                    bytes[position] = UInt8(stop)
                    for k in (position + 1)..<8 where rng.next() % 2 == 0 { bytes[k] = UInt8(truncatingIfNeeded: rng.next()) }
                    var w: UInt64 = 0
                    for (i, b) in bytes.enumerated() { w |= UInt64(b) << (8 * UInt64(i)) }
                    #expect(EventParser.leadingDigitCount(w) == position, "\(bytes)")
                    if position > 0 {
                        // The digits before the stop are read as one number.
                        let digits = String(decoding: bytes[..<position], as: UTF8.self)
                        let shift = UInt64(8 - position) * 8
                        let padded = w << shift | 0x3030_3030_3030_3030 >> (64 - shift)
                        #expect(EventParser.eightDigitsValue(padded) == UInt64(digits)!, "\(bytes)")
                        #expect(EventParser.powerOfTen(position) == (0..<position).reduce(UInt64(1)) { r, _ in r * 10 })
                    }
                }
            }
        }
    }
}
