import TestSupport
import Foundation
import Testing

@testable import CallbackStreamCore

@Suite struct WindowPartialDecoderTests {
    static func partial(
        partition: Int32 = 3, count: Int32 = 8, tenant: String? = "acme", start: Int64 = 1_767_225_600_000,
        sessions: Int = 4, elapsed: [Int64] = [0, 1_840, 1_900, 95_120], codes: [StatsCount] = [StatsCount(name: "E1", count: 1)]
    ) -> WindowPartial {
        var sketch = DDSketch()
        for value in elapsed { sketch.add(value) }
        return WindowPartial(
            inputPartition: partition, partitionCount: count, tenant: tenant, windowStart: start, windowEnd: start + 60_000,
            sessions: sessions,
            outcomes: zip(WindowConfiguration.contractOutcomeLabels, [sessions - 1, 1, 0, 0, 0, 0]).map { StatsCount(name: $0, count: $1) },
            submissions: 2, submissionsWithErrors: 1, errorCodes: codes, errorCodesOmitted: 0,
            closedByEvent: sessions - 1, inactivityTimeouts: 1, evicted: 0, flushed: 0, elapsed: sketch)
    }

    private let decoder = WindowPartialDecoder()

    @Test func partialsAndMarkersRoundTrip() {
        let samples = [
            Self.partial(), Self.partial(tenant: nil, elapsed: []), Self.partial(tenant: "a\"b\\c\nd\u{1}é:", elapsed: [0, 0]),
            Self.partial(partition: 0, count: 1, start: -60_000, elapsed: [DDSketch.maximumValue, 1], codes: []),
        ]
        for sample in samples {
            let bytes = WindowPartialEncoder().encode(sample)
            #expect(decoder.decode(bytes) == .partial(sample), "\(String(decoding: bytes, as: UTF8.self))")
        }
        let marker = WindowProgress(inputPartition: 7, partitionCount: 12, completeThrough: 1_767_225_660_000)
        let bytes = WindowPartialEncoder().encode(marker)
        #expect(String(decoding: bytes, as: UTF8.self)
            == #"{"schemaVersion":1,"type":"progress","inputPartition":7,"partitionCount":12,"completeThrough":1767225660000}"#)
        #expect(decoder.decode(bytes) == .progress(marker))
    }

    @Test func randomPartialsRoundTrip() {
        var random = SeededRandom(seed: 16)
        for _ in 0 ..< 300 {
            let values = (0 ..< Int.random(in: 0 ... 50, using: &random)).map { _ in
                Int64.random(in: 0 ... 1 << Int64.random(in: 1 ... 40, using: &random), using: &random)
            }
            let sample = Self.partial(
                partition: Int32.random(in: 0 ..< 64, using: &random), count: 64,
                tenant: Bool.random(using: &random) ? nil : "t\(Int.random(in: 0 ..< 100, using: &random))",
                start: Int64.random(in: -1_000_000 ... 1_000_000, using: &random) * 60_000, sessions: max(2, values.count), elapsed: values)
            #expect(decoder.decode(WindowPartialEncoder().encode(sample)) == .partial(sample))
        }
    }

    /// Truncations, byte flips and insertions of valid values never trap; most are rejected.
    @Test func garbageIsRejectedSafely() {
        let valid = WindowPartialEncoder().encode(Self.partial())
        for length in 0 ..< valid.count {
            #expect(decoder.decode(Array(valid[..<length])) == nil)
        }
        var random = SeededRandom(seed: 99)
        for _ in 0 ..< 3_000 {
            var bytes = valid
            for _ in 0 ..< Int.random(in: 1 ... 4, using: &random) {
                let index = Int.random(in: 0 ..< bytes.count, using: &random)
                switch Int.random(in: 0 ..< 3, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0 ... 255, using: &random)
                case 1: bytes.remove(at: index)
                default: bytes.insert(Array(#"{}[]",:-0123456789eE.\ntrue"#.utf8).randomElement(using: &random)!, at: index)
                }
            }
            _ = decoder.decode(bytes)  // must not trap; whatever it accepts is consistent by construction
        }
    }

    @Test func inconsistentOrHostileValuesAreRejected() {
        let valid = String(decoding: WindowPartialEncoder().encode(Self.partial()), as: UTF8.self)
        func rejects(_ text: String, _ label: Comment) {
            #expect(decoder.decode(Array(text.utf8)) == nil, label)
        }
        func replacing(_ old: String, _ new: String) -> String {
            #expect(valid.contains(old), "\(old)")
            return valid.replacingOccurrences(of: old, with: new)
        }
        rejects("", "empty")
        rejects("null", "not an object")
        rejects(valid + "x", "trailing bytes")
        rejects(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), "deep nesting")
        rejects(replacing(#""schemaVersion":1"#, #""schemaVersion":2"#), "unknown version")
        rejects(replacing(#""type":"partial""#, #""type":"stats""#), "unknown type")
        rejects(replacing(#""inputPartition":3"#, #""inputPartition":8"#), "partition not below the count")
        rejects(replacing(#""inputPartition":3"#, #""inputPartition":-1"#), "negative partition")
        rejects(replacing(#""partitionCount":8"#, #""partitionCount":99999999999"#), "count out of range")
        rejects(replacing(#""sessions":4"#, #""sessions":5"#), "outcomes do not add up")
        rejects(replacing(#""sessions":4"#, #""sessions":99999999999999999999"#), "integer overflow")
        rejects(replacing(#""sessions":4"#, #""sessions":4.5"#), "fraction")
        rejects(replacing(#""submissionsWithErrors":1"#, #""submissionsWithErrors":3"#), "more errors than submissions")
        rejects(replacing(#""notOpened":0"#, #""reopened":0"#), "unknown outcome")
        rejects(replacing(#""notOpened":0"#, #""notOpened":0,"notOpened":0"#), "duplicate key")
        rejects(replacing(#""count":4,"zeros""#, #""count":5,"zeros""#), "sketch count does not match its bins")
        rejects(replacing(#""min":0"#, #""min":-5"#), "negative minimum")
        rejects(replacing(#""relativeAccuracy":0.01"#, #""relativeAccuracy":0.9"#), "accuracy out of range")
        rejects(replacing(#""bins":["#, #""bins":[-1,"#), "negative bin")
        rejects(replacing(#""binOffset":"#, #""binOffset":9223372036854775807,"x":"#), "bin offset at the integer limit")
        rejects(replacing(#""binOffset":"#, #""binOffset":-9223372036854775808,"x":"#), "bin offset at the negative limit")
        rejects(replacing(#""zeros":1"#, #""zeros":9223372036854775807"#), "zero count at the integer limit")
        rejects(replacing(#""count":4,"zeros""#, #""count":-9223372036854775808,"zeros""#), "count at the negative limit")
        rejects(replacing(#""windowStart":1767225600000"#, #""windowStart":-9223372036854775808"#), "window start at the limit")
        rejects(replacing(#""bins":["#, #""bins":[4294967296,"#), "bin above UInt32")
        rejects(replacing(#""code":"E1""#, #""code":"E1\ud800""#), "lone surrogate")
        rejects(replacing(#""tenant":"acme""#, "\"tenant\":\"a\u{01}b\""), "raw control character")
        rejects(replacing(#""tenant":"acme""#, #""tenant":5"#), "tenant not a string")
        // Invalid UTF-8 inside a string.
        var bytes = Array(valid.utf8)
        let position = bytes.firstIndex(of: UInt8(ascii: "m"))!  // in "acme"
        bytes[position] = 0xFF
        #expect(decoder.decode(bytes) == nil)
        // Oversized.
        #expect(decoder.decode([UInt8](repeating: 0x20, count: WindowPartialDecoder.maximumBytes + 1)) == nil)
        // Unknown extra fields are ignored.
        #expect(decoder.decode(Array(replacing(#""flushed":0"#, #""flushed":0,"future":{"x":[1,2.5e3,null,true]}"#).utf8)) != nil)
    }

    /// The schema examples of the partials topic: the valid ones decode, the invalid ones do not.
    @Test func decoderAgreesWithTheSchemaExamples() throws {
        var checked = 0
        for url in try SchemaValidationTests.examples() where url.lastPathComponent.hasPrefix("stats-partial.") {
            let data = try Data(contentsOf: url)
            let bytes = Array(data).filter { $0 != 0x0A }
            let valid = url.lastPathComponent.hasPrefix("stats-partial.valid.")
            #expect((decoder.decode(bytes) != nil) == valid, "\(url.lastPathComponent)")
            checked += 1
        }
        #expect(checked >= 4)
    }
}
