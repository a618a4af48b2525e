import TestSupport
import Testing

@testable import CallbackStreamCore

/// The decoder's fast paths change nothing: key prediction (``EventParser/topLevelKey(_:expecting:)``)
/// and the plain-timestamp shortcut (``EventParser/plainTimestamp(_:)``) give the same result, the
/// same rejection (code and detail) and the same position as the general path, on records shaped
/// like the generator's (every layout it writes) and on many mutations of them.
@Suite struct DecoderFastPathEquivalenceTests {
    /// A record in one of the layouts producers write: canonical or shuffled member order, both
    /// metadata orders, optional members, `false` or set values, unknown members, spacing.
    static func record(_ r: inout SeededRandom) -> (value: String, interactionId: String) {
        let colon = r.chance(10) ? ": " : ":"
        let comma = r.chance(10) ? ", " : ","
        func member(_ name: String, _ value: String) -> String { "\"\(name)\"\(colon)\(value)" }
        func object(_ members: [String]) -> String { "{" + members.joined(separator: comma) + "}" }
        func timestamp() -> String {
            r.chance(95)
                ? r.pick(["1732550584000", "0", "7", "45000", "123456789", "12345678", "999999999999999", "9007199254740991"])
                : r.pick(["9007199254740992", "-1", "1.5", "1e3", "01", "1732550584000.0", "17325505840001234567", "\"1\""])
        }
        func timestampOrFalse() -> String { r.chance(50) ? "false" : timestamp() }
        func bool() -> String { r.chance(97) ? r.pick(["false", "true"]) : r.pick(["null", "\"yes\""]) }
        let id = r.chance(5) ? "" : "cb-\(r.below(1000))-5f0e8d2c-4b1a-4c3e-9d7f-\(r.below(100_000))"
        var metadata = [
            member("proactive", bool()), member("prefilled", bool()), member("autoSubmitted", bool()),
            member(
                "errors",
                r.chance(97)
                    ? r.pick([
                        "false", "[\"TIMESLOT_UNAVAILABLE\"]", "[{\"code\":\"RATE_LIMITED\",\"message\":\"Too many\",\"status\":429}]", "[]",
                    ]) : "true"),
            member(
                "form",
                r.chance(97)
                    ? r.pick(["false", "{\"email\":\"customer1@example.com\",\"firstName\":\"Ada\",\"phoneNumber\":\"+1-555-0100\"}", "{}"])
                    : "[1]"),
            member("opened", timestampOrFalse()), member("started", timestampOrFalse()),
            member("cancelled", timestampOrFalse()), member("completed", timestampOrFalse()),
            member("closed", timestampOrFalse()), member("elapsed", timestampOrFalse()),
        ]
        if r.chance(30) { metadata.sort() }
        if r.chance(10) { metadata.append(member("dwell", "12.75")) }
        if r.chance(10) { metadata.remove(at: r.below(metadata.count)) }
        var top = [
            member("interactionId", "\"\(id)\""),
            member("event", "\"\(r.chance(10) ? "Callback." : "")\(r.pick(["ready", "opened", "started", "submitted", "cancelled", "completed", "closed", "reopened"]))\""),
            member("timestamp", timestamp()),
            member("eventId", r.chance(90) ? "\"e-\(r.below(1_000_000))\"" : r.pick(["null", "\"\"", "7"])),
            member("metadata", r.chance(95) ? object(metadata) : r.pick(["null", "false"])),
            member("attributes", r.chance(90) ? "{\"tenant\":\"acme\",\"deployment\":\"prod-eu-1\",\"page\":\"/support\"}" : "null"),
        ]
        if r.chance(30) {
            for i in stride(from: top.count - 1, to: 0, by: -1) { top.swapAt(i, r.below(i + 1)) }
        }
        if r.chance(10) { top.remove(at: r.below(top.count)) }
        if r.chance(10) { top.insert(member("widgetVersion", "\"9.0.016.13\""), at: r.below(top.count + 1)) }
        return (object(top), id)
    }

    /// Bytes a mutation writes: JSON punctuation, whitespace, digits, letters of the keys and
    /// literals, escapes, and bytes that are invalid or start a UTF-8 sequence.
    static let mutationBytes: [UInt8] = Array("\"\\:,{}[] \t\n0159-.eEftnrueaslcdpx".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]

    static func mutate(_ bytes: [UInt8], _ r: inout SeededRandom) -> [UInt8] {
        var b = bytes
        for _ in 0..<(1 + r.below(3)) where !b.isEmpty {
            let i = r.below(b.count)
            switch r.below(6) {
            case 0, 1: b[i] = r.pick(mutationBytes)
            case 2: b.remove(at: i)
            case 3: b.insert(r.pick(mutationBytes), at: i)
            case 4: b.removeSubrange(i...)
            default: b.insert(contentsOf: b[i..<min(b.count, i + 1 + r.below(12))], at: r.below(b.count))
            }
        }
        return b
    }

    /// Expects both decoders to give the same result for one record value with `key`, and
    /// returns whether it was accepted.
    @discardableResult
    static func expectSameResult(
        _ value: [UInt8], key: String? = "cb-1", predicting: LifecycleEventDecoder, general: LifecycleEventDecoder,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let keyBytes = key.map { Array($0.utf8) }
        let fast = decodeOwned(bytes: value, key: keyBytes, decoder: predicting)
        let slow = decodeOwned(bytes: value, key: keyBytes, decoder: general)
        #expect(fast == slow, "\(String(decoding: value, as: UTF8.self))", sourceLocation: sourceLocation)
        if case .success = slow { return true }
        return false
    }

    @Test func keyPredictionGivesTheGeneralPathsResultOnGeneratedAndMutatedRecords() {
        let predicting = LifecycleEventDecoder(limits: DecoderLimits(), predictsKeys: true)
        let general = LifecycleEventDecoder(limits: DecoderLimits(), predictsKeys: false)
        let tightPredicting = LifecycleEventDecoder(limits: DecoderLimits(maxDepth: 4, maxListEntries: 2), predictsKeys: true)
        let tightGeneral = LifecycleEventDecoder(limits: DecoderLimits(maxDepth: 4, maxListEntries: 2), predictsKeys: false)
        var r = SeededRandom(seed: 42)
        var accepted = 0
        for _ in 0..<1_500 {
            let (text, id) = Self.record(&r)
            let record = Array(text.utf8)
            if Self.expectSameResult(record, key: id, predicting: predicting, general: general) { accepted += 1 }
            Self.expectSameResult(record, key: nil, predicting: predicting, general: general)
            Self.expectSameResult(record, key: id, predicting: tightPredicting, general: tightGeneral)
            for _ in 0..<8 {
                Self.expectSameResult(Self.mutate(record, &r), key: id, predicting: predicting, general: general)
            }
        }
        // The generated records are mostly valid JSON with every field: most must decode.
        #expect(accepted > 500)
    }

    @Test func keyPredictionGivesTheGeneralPathsResultOnTheContractExamples() {
        let predicting = LifecycleEventDecoder(limits: DecoderLimits(), predictsKeys: true)
        let general = LifecycleEventDecoder(limits: DecoderLimits(), predictsKeys: false)
        for c in LifecycleEventDecoderTests.rejectionCases {
            Self.expectSameResult(c.value, key: c.key, predicting: predicting, general: general)
        }
        Self.expectSameResult(Array(LifecycleEventDecoderTests.fullEvent.utf8), predicting: predicting, general: general)
        // Compact spellings cut anywhere: the prediction must not read past the end.
        let compact = Array(
            #"{"interactionId":"cb-1","event":"opened","timestamp":1732550584000,"eventId":"e-1","metadata":{"proactive":false,"prefilled":false,"autoSubmitted":false,"errors":false,"form":false,"opened":1732550584000,"started":false,"cancelled":false,"completed":false,"closed":false,"elapsed":false},"attributes":{"tenant":"acme"}}"#
                .utf8)
        for n in 0...compact.count {
            Self.expectSameResult(Array(compact[..<n]), predicting: predicting, general: general)
        }
    }

    /// ``EventParser/plainTimestamp(_:)`` against ``EventParser/number(from:)`` on `text` followed by filler.
    static func expectPlainTimestampMatchesNumber(_ text: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        let store = UnsafeMutablePointer<ByteView>.allocate(capacity: 2)
        defer {
            scratch.deallocate()
            store.deallocate()
        }
        text.withUnsafeBytes { value in
            func parser() -> EventParser {
                EventParser(
                    value: value, maxDepth: 8, maxListEntries: 1, scratch: scratch, errorStore: store, formStore: store,
                    attributeStore: store)
            }
            var pos = 0
            guard let v = parser().plainTimestamp(&pos) else {
                #expect(pos == 0, sourceLocation: sourceLocation)
                return
            }
            let n = try? parser().number(from: 0)
            #expect(n?.isInteger == true && n?.value == v, "\(String(decoding: text, as: UTF8.self))", sourceLocation: sourceLocation)
            #expect(v >= 0 && v <= LifecycleEvent.maxTimestamp, sourceLocation: sourceLocation)
            #expect(pos == n?.end, "\(String(decoding: text, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }

    @Test func plainTimestampReadsExactlyWhatNumberReads() {
        let terminators = Array(",}] \"x.eE+-0123456789".utf8) + [0x00, 0xFF]
        var r = SeededRandom(seed: 7)
        var taken = 0
        for length in 1...20 {
            for _ in 0..<200 {
                var digits = (0..<length).map { _ in UInt8(ascii: "0") + UInt8(r.below(10)) }
                if r.chance(20) { digits[0] = UInt8(ascii: "0") }
                if r.chance(10) { digits[0] = UInt8(ascii: "-") }
                for t in terminators {
                    let filler = r.below(20)
                    let text = digits + [t] + Array(repeating: UInt8(ascii: "}"), count: filler)
                    Self.expectPlainTimestampMatchesNumber(text)
                    if length <= 15, digits[0] != UInt8(ascii: "0"), digits[0] != UInt8(ascii: "-"), text.count >= 16,
                        t != UInt8(ascii: "."), t != UInt8(ascii: "e"), t != UInt8(ascii: "E"),
                        !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(t)
                    {
                        taken += 1
                    }
                }
            }
        }
        // Make sure the shortcut was exercised, not only declined.
        #expect(taken > 1_000)
    }

    @Test func plainTimestampTakesTheCommonShapesAndDeclinesTheRest() {
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        let store = UnsafeMutablePointer<ByteView>.allocate(capacity: 2)
        defer {
            scratch.deallocate()
            store.deallocate()
        }
        func plain(_ s: String) -> Int64? {
            Array(s.utf8).withUnsafeBytes { value in
                let p = EventParser(
                    value: value, maxDepth: 8, maxListEntries: 1, scratch: scratch, errorStore: store, formStore: store,
                    attributeStore: store)
                var pos = 0
                return p.plainTimestamp(&pos)
            }
        }
        #expect(plain("1732550584000,\"eventId\":1") == 1_732_550_584_000)
        #expect(plain("45000,\"started\":false}") == 45_000)
        #expect(plain("12345678,\"started\":false}") == 12_345_678)
        #expect(plain("999999999999999}}}}}}}}}}") == 999_999_999_999_999)
        #expect(plain("9007199254740991,\"x\":false}") == nil)  // 16 digits: number(from:)'s job
        #expect(plain("1732550584000.5,\"x\":false}") == nil)
        #expect(plain("1732550584000e3,\"x\":false}") == nil)
        #expect(plain("0,\"started\":false,\"x\":1}") == nil)
        #expect(plain("-5,\"started\":false,\"x\":1}") == nil)
        #expect(plain("1732550584000}") == nil)  // fewer than 16 bytes left
    }
}

/// The draws the generated records are made of (SplitMix64 through ``SeededRandom``: the same seed
/// gives the same records).
extension SeededRandom {
    fileprivate mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    fileprivate mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    fileprivate mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
