import Foundation
import Testing

@testable import CallbackStreamCore

@Suite struct SummaryEncoderTests {
    static let topLevelKeys = [
        "schemaVersion", "summaryId", "interactionId", "sessionSeq", "outcome", "closeReason", "events", "proactive",
        "prefilled", "autoSubmitted", "errors", "formFields", "timestamps", "elapsedMs", "timeToStartMs",
        "timeToSubmitMs", "openDurationMs", "anomalies", "attributes",
    ]

    /// Top-level keys of a compact JSON object in order of appearance (test helper).
    static func keys(_ json: String) throws -> [String] {
        var result: [String] = []
        var depth = 0
        var inString = false
        var escaped = false
        var current = ""
        var expectingKey = false
        for ch in json {
            if inString {
                if escaped {
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    inString = false
                    if expectingKey { result.append(current) }
                    expectingKey = false
                    continue
                }
                current.append(ch)
                continue
            }
            switch ch {
            case "{", "[":
                depth += 1
                if ch == "{" && depth == 1 { expectingKey = true }
            case "}", "]": depth -= 1
            case ",": if depth == 1 { expectingKey = true }
            case "\"":
                inString = true
                current = ""
                if depth != 1 { expectingKey = false }
            default: break
            }
        }
        return result
    }

    @Test func fieldsComeInTheContractOrder() throws {
        let driver = try session([Step("ready", 1), Step("opened", 2)])
        #expect(try Self.keys(driver.summary()) == Self.topLevelKeys)
        var live = Self.topLevelKeys
        live[live.firstIndex(of: "closeReason")!] = "open"
        #expect(try Self.keys(driver.live()) == live)
        let kept = try session([Step("submitted", 1, metadata: #"{"form":{"a":1}}"#)], keepFormValues: true)
        #expect(try Self.keys(kept.summary(includeFormValues: true)) == Self.topLevelKeys + ["form"])
    }

    @Test func liveViewIsOpenAndHasNoMissingClosed() throws {
        let driver = try session([Step("ready", 1), Step("opened", 2)])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(driver.live().utf8)) as? [String: Any])
        #expect(object["open"] as? Bool == true)
        #expect(object["closeReason"] == nil)
        #expect(object["anomalies"] as? [String] == [])
        #expect(object["outcome"] as? String == "cancelledBeforeStart")
        let ended = try driver.summaryObject(closeReason: .inactivityTimeout)
        #expect(ended["closeReason"] as? String == "inactivityTimeout")
        #expect(ended["anomalies"] as? [String] == ["missingClosed"])
    }

    @Test func summaryIdIsInteractionSeqAndFirstEventTime() throws {
        let driver = try session([Step("opened", 1_732_550_401_200, id: "x"), Step("ready", 1_732_550_400_000, id: "y")])
        var out = OutputBuffer()
        SummaryEncoder().encodeSummary(
            driver.state, interactionId: UnsafeRawBufferPointer(start: ("a:b" as StaticString).utf8Start, count: 3),
            sessionSeq: 7, closeReason: .closed, symbols: driver.symbols, into: &out)
        #expect(out.string.hasPrefix(#"{"schemaVersion":1,"summaryId":"a:b:7:1732550400000","interactionId":"a:b","sessionSeq":7,"#))
        var header = OutputBuffer()
        SummaryEncoder.appendSummaryID(
            interactionId: UnsafeRawBufferPointer(start: ("a:b" as StaticString).utf8Start, count: 3), sessionSeq: 7,
            firstEventTimestamp: 1_732_550_400_000, into: &header)
        #expect(header.string == "a:b:7:1732550400000")
    }

    @Test func interactionIdsAreEscaped() throws {
        let nasty = "q\"b\\s/\u{01}\u{1F}\n\t é中😀\u{7F}"
        var driver = SessionDriver()
        try driver.apply(EventJSON("ready", 1, interactionId: nasty).json, key: nasty)
        let text = driver.summary(interactionId: nasty)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["interactionId"] as? String == nasty)
        #expect(object["summaryId"] as? String == "\(nasty):1:1")
        #expect(text.contains(#""interactionId":"q\"b\\s/\u0001\u001f\n\t é中😀\#u{7F}""#))
    }

    @Test func everyControlCharacterIsEscaped() throws {
        let all = (0..<0x20).map { UInt8($0) } + Array("\"\\".utf8)
        var out = OutputBuffer()
        all.withUnsafeBytes { out.appendJSONString($0) }
        #expect(!out.bytes.dropFirst().dropLast().contains { $0 < 0x20 })
        let decoded = try JSONSerialization.jsonObject(with: Data(out.bytes), options: [.fragmentsAllowed]) as? String
        #expect(decoded.map { Array($0.utf8) } == all)
        #expect(out.string.hasPrefix(#""\u0000\u0001"#))
        #expect(out.string.hasSuffix(#"\u001e\u001f\"\\""#))
        #expect(out.string.contains(#"\b\t\n\u000b\f\r"#))
    }

    @Test func attributesAndValuesAreEscapedAndSorted() throws {
        let driver = try session([
            Step("ready", 1, attributes: [("zeta", "1"), ("Alpha", "a\"b"), ("émoji", "😀"), ("alpha", "x\ny")])
        ])
        #expect(driver.summary().contains(#""attributes":{"Alpha":"a\"b","alpha":"x\ny","zeta":"1","émoji":"😀"}"#))
    }

    @Test func encodingIsDeterministicAndAppends() throws {
        let driver = try session([Step("ready", 1, attributes: [("t", "a")]), Step("opened", 2)])
        var out = OutputBuffer()
        "cb-1".utf8CString.withUnsafeBytes { raw in
            let id = UnsafeRawBufferPointer(rebasing: raw.dropLast())
            SummaryEncoder().encodeSummary(driver.state, interactionId: id, sessionSeq: 1, closeReason: .closed, symbols: driver.symbols, into: &out)
            let once = out.bytes
            SummaryEncoder().encodeSummary(driver.state, interactionId: id, sessionSeq: 1, closeReason: .closed, symbols: driver.symbols, into: &out)
            #expect(Array(out.bytes[once.count...]) == once)
            out.removeAll()
            SummaryEncoder().encodeSummary(driver.state, interactionId: id, sessionSeq: 1, closeReason: .closed, symbols: driver.symbols, into: &out)
            #expect(out.bytes == once)
        }
    }

    /// The encoder spells the `timestamps` keys out (constants); they must stay every lifecycle
    /// name, in `LifecycleEventName.allCases` order, each with its own event's time.
    @Test func timestampKeysAreTheLifecycleNamesInOrder() throws {
        let names = LifecycleEventName.allCases
        let driver = try session(names.enumerated().map { Step(String(describing: $0.element), Int64(100 + $0.offset)) })
        let json = driver.summary()
        let start = try #require(json.range(of: #""timestamps":"#)).upperBound
        let end = try #require(json[start...].firstIndex(of: "}"))
        let object = String(json[start...end])
        #expect(try Self.keys(object) == names.map { String(describing: $0) })
        let expected = names.enumerated().map { #""\#($0.element)":\#(100 + $0.offset)"# }.joined(separator: ",")
        #expect(object == "{" + expected + "}")
    }

    @Test func decimalRendering() {
        var out = OutputBuffer()
        for v: Int64 in [0, 7, -7, 10, 1_732_550_400_000, .max, .min] {
            out.removeAll()
            out.appendDecimal(v)
            #expect(out.string == String(v))
        }
    }

    @Test func negativeDurationsRenderAsIntegers() throws {
        // closed before opened (an invalid transition) gives a negative openDurationMs.
        let driver = try session([Step("closed", 5), Step("opened", 9)])
        let object = try driver.summaryObject()
        #expect(object["openDurationMs"] as? Int == -4)
        #expect(object["anomalies"] as? [String] == ["invalidTransition"])
    }
}
