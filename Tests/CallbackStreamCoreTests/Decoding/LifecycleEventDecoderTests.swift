import Foundation
import Testing

@testable import CallbackStreamCore

@Suite struct LifecycleEventDecoderTests {
    static let fullEvent = """
        {"interactionId":"cb-1","event":"submitted","timestamp":1732550584000,"eventId":"e-4",
         "metadata":{"proactive":true,"prefilled":false,"autoSubmitted":true,
           "errors":["E_TIMEOUT",{"code":"E_INVALID_PHONE","message":"bad"},{"code":503}],
           "form":{"firstname":"Ada","age":36,"consent":true,"address":{"city":"London"}},
           "opened":1732550521000,"started":1732550524000,"cancelled":false,"completed":false,
           "closed":false,"elapsed":false},
         "attributes":{"tenant":"acme","page":"/support"}}
        """

    @Test func decodesEveryContractField() throws {
        let e = try decodeOwned(Self.fullEvent).get()
        #expect(e.interactionId == "cb-1")
        #expect(e.name == .submitted)
        #expect(e.timestamp == 1_732_550_584_000)
        #expect(e.eventId == "e-4")
        #expect(e.attributes == [.init(name: "tenant", value: "acme"), .init(name: "page", value: "/support")])
        let m = try #require(e.metadata)
        #expect(m.proactive && !m.prefilled && m.autoSubmitted)
        #expect(m.errors == ["E_TIMEOUT", "E_INVALID_PHONE", "503"])
        #expect(
            m.form == [
                .init(name: "firstname", value: "\"Ada\""), .init(name: "age", value: "36"),
                .init(name: "consent", value: "true"), .init(name: "address", value: "{\"city\":\"London\"}"),
            ])
        #expect(m.opened == 1_732_550_521_000)
        #expect(m.started == 1_732_550_524_000)
        #expect(m.cancelled == nil && m.completed == nil && m.closed == nil && m.elapsed == nil)
    }

    @Test func optionalFieldsMayBeAbsentOrNull() throws {
        let minimal = try decodeOwned(#"{"interactionId":"cb-1","event":"ready","timestamp":0}"#).get()
        #expect(minimal.eventId == nil && minimal.metadata == nil && minimal.attributes.isEmpty)
        let nulls = try decodeOwned(
            #"{"interactionId":"cb-1","event":"ready","timestamp":5,"eventId":null,"metadata":null,"attributes":null}"#
        ).get()
        #expect(nulls.eventId == nil && nulls.metadata == nil && nulls.attributes.isEmpty)
        let falses = try decodeOwned(
            #"{"interactionId":"cb-1","event":"ready","timestamp":5,"metadata":{"errors":false,"form":false}}"#
        ).get()
        #expect(falses.metadata?.errors == [] && falses.metadata?.form == nil)
        let emptyForm = try decodeOwned(
            #"{"interactionId":"cb-1","event":"ready","timestamp":5,"metadata":{"errors":[],"form":{}}}"#
        ).get()
        #expect(emptyForm.metadata?.errors == [] && emptyForm.metadata?.form == [])
    }

    @Test(arguments: LifecycleEventName.allCases)
    func acceptsEveryEventNameWithAndWithoutPrefix(name: LifecycleEventName) throws {
        for spelled in ["\(name.name)", "Callback.\(name.name)"] {
            let e = try decodeOwned(#"{"interactionId":"cb-1","event":"\#(spelled)","timestamp":1}"#).get()
            #expect(e.name == name)
        }
    }

    @Test func skipsUnknownFieldsOfEveryShape() throws {
        let json = """
            {"x":{"a":[1,-2.5e+3,0.0,1E-2,{"b":[[],{}]},"s\\"\\\\",true,false,null]},"interactionId":"cb-1",
             "future":[["deep",["deeper",{"k":"v"}]]],"event":"opened","n":-0,"timestamp":42,
             "metadata":{"unknown":{"z":[1,2,3]},"opened":42}, "tail" : "end" }
            """
        let e = try decodeOwned(json).get()
        #expect(e.name == .opened && e.timestamp == 42 && e.metadata?.opened == 42)
    }

    @Test func acceptsWhitespaceEverywhere() throws {
        let json = " \t\r\n{ \"interactionId\" :\n\"cb-1\" , \"event\"\t:\"ready\" ,\"timestamp\" : 7 , \"attributes\" : { \"a\" : \"b\" } }\n "
        let e = try decodeOwned(json).get()
        #expect(e.timestamp == 7 && e.attributes == [.init(name: "a", value: "b")])
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let json = #"""
            {"interactionId":"cb-\u0031","event":"\u006fpened","timestamp":1,
             "attributes":{"quote":"a\"b","slash":"a\/b\\c","ctl":"\b\f\n\r\t","smile":"\ud83d\ude00","e":"\u00e9\u4e2d",
             "k\u0065y":"raw é 中 😀"}}
            """#
        let e = try decodeOwned(json).get()
        #expect(e.interactionId == "cb-1")
        #expect(e.name == .opened)
        let attrs = Dictionary(uniqueKeysWithValues: e.attributes.map { ($0.name, $0.value) })
        #expect(attrs["quote"] == "a\"b")
        #expect(attrs["slash"] == "a/b\\c")
        #expect(attrs["ctl"] == "\u{08}\u{0C}\n\r\t")
        #expect(attrs["smile"] == "😀")
        #expect(attrs["e"] == "é中")
        #expect(attrs["key"] == "raw é 中 😀")
    }

    @Test func plainStringsAreViewsIntoTheInputAndEscapedOnesIntoScratch() throws {
        let decoder = LifecycleEventDecoder()
        let json = Array(#"{"interactionId":"cb-1","event":"ready","timestamp":1,"eventId":"e\u0031"}"#.utf8)
        try json.withUnsafeBytes { value in
            try Array("cb-1".utf8).withUnsafeBytes { key in
                guard case .event(let e) = decoder.decode(key: key, value: value) else {
                    Issue.record("rejected")
                    return
                }
                let input = UInt(bitPattern: value.baseAddress!)...UInt(bitPattern: value.baseAddress! + value.count)
                #expect(input.contains(UInt(bitPattern: e.interactionId.bytes.baseAddress!)))
                let eventId = try #require(e.eventId)
                #expect(eventId.string == "e1")
                #expect(!input.contains(UInt(bitPattern: eventId.bytes.baseAddress!)))
            }
        }
    }

    @Test func decoderIsReusableAcrossRecords() throws {
        let decoder = LifecycleEventDecoder()
        for i in 0..<200 {
            let json = #"{"interactionId":"cb-\#(i)","event":"ready","timestamp":\#(i),"eventId":"x\u00e9\#(i)","attributes":{"k\u0031":"v\#(i)"}}"#
            let e = try decodeOwned(json, key: "cb-\(i)", decoder: decoder).get()
            #expect(e.eventId == "xé\(i)")
            #expect(e.attributes == [.init(name: "k1", value: "v\(i)")])
        }
        #expect(throws: Rejection.self) { try decodeOwned("{", decoder: decoder).get() }
        #expect(try decodeOwned(#"{"interactionId":"cb-1","event":"ready","timestamp":1}"#, decoder: decoder).get().timestamp == 1)
    }

    @Test func repeatedNamesKeepTheLastValueAndErrorsAreDeduplicated() throws {
        let json = """
            {"interactionId":"cb-1","event":"ready","timestamp":1,"timestamp":2,
             "metadata":{"errors":["A","B","A",{"code":"B"}],"form":{"f":"1","g":"2","f":"3"}},
             "attributes":{"a":"1","b":"2","a":"3"}}
            """
        let e = try decodeOwned(json).get()
        #expect(e.timestamp == 2)
        #expect(e.metadata?.errors == ["A", "B"])
        #expect(e.metadata?.form == [.init(name: "f", value: "\"3\""), .init(name: "g", value: "\"2\"")])
        #expect(e.attributes == [.init(name: "a", value: "3"), .init(name: "b", value: "2")])
    }

    @Test func interactionIdLengthIsCountedInCharacters() throws {
        let max = String(repeating: "é", count: 256)  // 512 bytes, 256 characters
        #expect(try decodeOwned(#"{"interactionId":"\#(max)","event":"ready","timestamp":1}"#, key: max).get().interactionId == max)
        let over = String(repeating: "a", count: 257)
        #expect(
            throws: Rejection.self,
            performing: { try decodeOwned(#"{"interactionId":"\#(over)","event":"ready","timestamp":1}"#, key: over).get() })
        // Around the byte-length shortcut: counted only past 256 bytes.
        for (id, accepted) in [
            (String(repeating: "a", count: 256), true), (String(repeating: "é", count: 100) + String(repeating: "a", count: 100), true),
            (String(repeating: "é", count: 129), true), (String(repeating: "é", count: 257), false), ("", false),
        ] {
            let result = decodeOwned(#"{"interactionId":"\#(id)","event":"ready","timestamp":1}"#, key: id)
            switch result {
            case .success(let e): #expect(accepted && e.interactionId == id, "\(id.utf8.count) bytes")
            case .failure(let rejection): #expect(!accepted && rejection.code == .badType, "\(id.utf8.count) bytes")
            }
        }
    }

    @Test func timestampRangeIsZeroToTwoPow53MinusOne() throws {
        #expect(try decodeOwned(#"{"interactionId":"cb-1","event":"ready","timestamp":0}"#).get().timestamp == 0)
        #expect(
            try decodeOwned(#"{"interactionId":"cb-1","event":"ready","timestamp":9007199254740991}"#).get().timestamp
                == 9_007_199_254_740_991)
    }

    // MARK: - Rejections

    struct RejectionCase: CustomTestStringConvertible, Sendable {
        var label: String
        var value: [UInt8]
        var key: String? = "cb-1"
        var code: RejectionCode

        init(_ label: String, _ json: String, key: String? = "cb-1", _ code: RejectionCode) {
            self.label = label
            self.value = Array(json.utf8)
            self.key = key
            self.code = code
        }

        init(_ label: String, bytes: [UInt8], _ code: RejectionCode) {
            self.label = label
            self.value = bytes
            self.code = code
        }

        var testDescription: String { label }
    }

    static let base = #""interactionId":"cb-1","event":"ready","timestamp":1"#
    /// A form carrying a value that must never appear in a rejection detail.
    static let secretForm = #""metadata":{"form":{"ssn":"SECRET-123-45-6789"}}"#

    static let rejectionCases: [RejectionCase] = [
        // invalid_json
        .init("empty", "", .invalidJSON),
        .init("whitespace only", "  \n", .invalidJSON),
        .init("truncated object", "{\(base)", .invalidJSON),
        .init("not json", "callback opened", .invalidJSON),
        .init("missing value", #"{"interactionId":}"#, .invalidJSON),
        .init("trailing comma", "{\(base),}", .invalidJSON),
        .init("trailing garbage", "{\(base)}x", .invalidJSON),
        .init("two documents", "{\(base)}{\(base)}", .invalidJSON),
        .init("single quotes", "{'interactionId':'cb-1'}", .invalidJSON),
        .init("unterminated string", #"{"interactionId":"cb-1"#, .invalidJSON),
        .init("bad escape", "{\(base),\"x\":\"\\q\"}", .invalidJSON),
        .init("short unicode escape", "{\(base),\"x\":\"\\u12\"}", .invalidJSON),
        .init("bad hex digit", "{\(base),\"x\":\"\\u12G4\"}", .invalidJSON),
        .init("lone high surrogate", "{\(base),\"x\":\"\\ud800\"}", .invalidJSON),
        .init("high surrogate then text", "{\(base),\"x\":\"\\ud800abcdef\"}", .invalidJSON),
        .init("high surrogate then non-low", "{\(base),\"x\":\"\\ud800\\u0041\"}", .invalidJSON),
        .init("lone low surrogate", "{\(base),\"x\":\"\\udc00\"}", .invalidJSON),
        .init("raw control char in string", "{\(base),\"x\":\"a\u{01}b\"}", .invalidJSON),
        .init("raw newline in string", "{\(base),\"x\":\"a\nb\"}", .invalidJSON),
        .init("leading zero", "{\(base),\"x\":01}", .invalidJSON),
        .init("bare minus", "{\(base),\"x\":-}", .invalidJSON),
        .init("dot without digits", "{\(base),\"x\":1.}", .invalidJSON),
        .init("exponent without digits", "{\(base),\"x\":1e}", .invalidJSON),
        .init("plus sign", "{\(base),\"x\":+1}", .invalidJSON),
        .init("NaN", "{\(base),\"x\":NaN}", .invalidJSON),
        .init("bad literal", "{\(base),\"x\":tru}", .invalidJSON),
        .init("unquoted key", "{interactionId:\"cb-1\"}", .invalidJSON),
        .init("missing colon", "{\"interactionId\" \"cb-1\"}", .invalidJSON),
        .init("unclosed array", "{\(base),\"x\":[1,2}", .invalidJSON),
        .init("syntax error after a type error", #"{"interactionId":"cb-1","event":"ready","timestamp":"x",}"#, .invalidJSON),
        .init("invalid UTF-8 lead byte", bytes: Array("{\(base),\"x\":\"".utf8) + [0xFF] + Array("\"}".utf8), .invalidJSON),
        .init("truncated UTF-8 sequence", bytes: Array("{\(base),\"x\":\"".utf8) + [0xE4, 0xB8] + Array("\"}".utf8), .invalidJSON),
        .init("overlong UTF-8", bytes: Array("{\(base),\"x\":\"".utf8) + [0xC0, 0xAF] + Array("\"}".utf8), .invalidJSON),
        .init("UTF-8 surrogate", bytes: Array("{\(base),\"x\":\"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8), .invalidJSON),
        .init("UTF-8 above U+10FFFF", bytes: Array("{\(base),\"x\":\"".utf8) + [0xF4, 0x90, 0x80, 0x80] + Array("\"}".utf8), .invalidJSON),
        .init("non-ASCII outside strings", bytes: Array("{\(base),\"x\":".utf8) + [0xC3, 0xA9] + Array("}".utf8), .invalidJSON),
        .init("NUL byte", bytes: Array("{\(base)".utf8) + [0] + Array("}".utf8), .invalidJSON),
        // missing_field
        .init("no interactionId", #"{"event":"ready","timestamp":1}"#, .missingField),
        .init("no event", #"{"interactionId":"cb-1","timestamp":1}"#, .missingField),
        .init("no timestamp", #"{"interactionId":"cb-1","event":"ready"}"#, .missingField),
        .init("empty object", "{}", .missingField),
        // bad_type
        .init("top-level array", "[1,2]", .badType),
        .init("top-level string", "\"cb-1\"", .badType),
        .init("interactionId number", #"{"interactionId":1,"event":"ready","timestamp":1}"#, .badType),
        .init("interactionId empty", #"{"interactionId":"","event":"ready","timestamp":1}"#, key: "", .badType),
        .init("interactionId null", #"{"interactionId":null,"event":"ready","timestamp":1}"#, .badType),
        .init("event number", #"{"interactionId":"cb-1","event":3,"timestamp":1}"#, .badType),
        .init("timestamp string", #"{"interactionId":"cb-1","event":"ready","timestamp":"1"}"#, .badType),
        .init("timestamp fraction", #"{"interactionId":"cb-1","event":"ready","timestamp":1.5}"#, .badType),
        .init("timestamp exponent", #"{"interactionId":"cb-1","event":"ready","timestamp":1e3}"#, .badType),
        .init("timestamp negative", #"{"interactionId":"cb-1","event":"ready","timestamp":-1}"#, .badType),
        .init("timestamp above 2^53-1", #"{"interactionId":"cb-1","event":"ready","timestamp":9007199254740992}"#, .badType),
        .init("timestamp overflow", #"{"interactionId":"cb-1","event":"ready","timestamp":123456789012345678901234567890}"#, .badType),
        .init("timestamp false", #"{"interactionId":"cb-1","event":"ready","timestamp":false}"#, .badType),
        .init("eventId number", "{\(base),\"eventId\":7}", .badType),
        .init("eventId empty", "{\(base),\"eventId\":\"\"}", .badType),
        .init("metadata array", "{\(base),\"metadata\":[]}", .badType),
        .init("metadata false", "{\(base),\"metadata\":false}", .badType),
        .init("attributes array", "{\(base),\"attributes\":[\"a\"]}", .badType),
        .init("attribute value number", "{\(base),\"attributes\":{\"a\":1}}", .badType),
        .init("attribute value null", "{\(base),\"attributes\":{\"a\":null}}", .badType),
        .init("flag string", "{\(base),\"metadata\":{\"proactive\":\"yes\"}}", .badType),
        .init("flag null", "{\(base),\"metadata\":{\"prefilled\":null}}", .badType),
        .init("metadata timestamp true", "{\(base),\"metadata\":{\"opened\":true}}", .badType),
        .init("metadata timestamp string", "{\(base),\"metadata\":{\"closed\":\"1\"}}", .badType),
        .init("metadata timestamp null", "{\(base),\"metadata\":{\"started\":null}}", .badType),
        .init("elapsed negative", "{\(base),\"metadata\":{\"elapsed\":-5}}", .badType),
        .init("elapsed fraction", "{\(base),\"metadata\":{\"elapsed\":1.5}}", .badType),
        .init("errors true", "{\(base),\"metadata\":{\"errors\":true}}", .badType),
        .init("errors string", "{\(base),\"metadata\":{\"errors\":\"E1\"}}", .badType),
        .init("errors number entry", "{\(base),\"metadata\":{\"errors\":[1]}}", .badType),
        .init("errors empty code", "{\(base),\"metadata\":{\"errors\":[\"\"]}}", .badType),
        .init("errors object without code", "{\(base),\"metadata\":{\"errors\":[{\"message\":\"m\"}]}}", .badType),
        .init("errors code boolean", "{\(base),\"metadata\":{\"errors\":[{\"code\":true}]}}", .badType),
        .init("errors code fraction", "{\(base),\"metadata\":{\"errors\":[{\"code\":1.5}]}}", .badType),
        .init("form true", "{\(base),\"metadata\":{\"form\":true}}", .badType),
        .init("form array", "{\(base),\"metadata\":{\"form\":[\"a\"]}}", .badType),
        .init("bad type beside a secret form", "{\"interactionId\":\"cb-1\",\"event\":\"ready\",\"timestamp\":\"x\",\(secretForm)}", .badType),
        // unknown_event
        .init("unknown event", #"{"interactionId":"cb-1","event":"reopened","timestamp":1}"#, .unknownEvent),
        .init("unknown prefixed event", #"{"interactionId":"cb-1","event":"Callback.reopened","timestamp":1}"#, .unknownEvent),
        .init("bare prefix", #"{"interactionId":"cb-1","event":"Callback.","timestamp":1}"#, .unknownEvent),
        .init("wrong case", #"{"interactionId":"cb-1","event":"OPENED","timestamp":1}"#, .unknownEvent),
        .init("other widget prefix", #"{"interactionId":"cb-1","event":"WebChat.opened","timestamp":1}"#, .unknownEvent),
        .init("empty event", #"{"interactionId":"cb-1","event":"","timestamp":1}"#, .unknownEvent),
        // key_mismatch
        .init("different key", "{\(base)}", key: "cb-2", .keyMismatch),
        .init("no key", "{\(base)}", key: nil, .keyMismatch),
        .init("key with suffix", "{\(base)}", key: "cb-1 ", .keyMismatch),
        .init("key mismatch beside a secret form", "{\(base),\(secretForm)}", key: "cb-9", .keyMismatch),
        // too_large (structure; size is tested separately)
        .init(
            "nesting deeper than the limit",
            "{\(base),\"x\":" + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}", .tooLarge),
        .init(
            "too many error codes",
            "{\(base),\"metadata\":{\"errors\":[" + (0..<65).map { "\"E\($0)\"" }.joined(separator: ",") + "]}}",
            .tooLarge),
        .init(
            "too many attributes",
            "{\(base),\"attributes\":{" + (0..<65).map { "\"k\($0)\":\"v\"" }.joined(separator: ",") + "}}", .tooLarge),
        .init(
            "too many form fields",
            "{\(base),\"metadata\":{\"form\":{" + (0..<65).map { "\"f\($0)\":1" }.joined(separator: ",") + "}}}",
            .tooLarge),
    ]

    @Test(arguments: rejectionCases)
    func rejectsWithTheContractCode(_ c: RejectionCase) throws {
        let result = decodeOwned(bytes: c.value, key: c.key.map { Array($0.utf8) })
        guard case .failure(let rejection) = result else {
            Issue.record("accepted \(c.label)")
            return
        }
        #expect(rejection.code == c.code, "\(c.label): \(rejection)")
        #expect(!rejection.detail.isEmpty)
        #expect(!rejection.detail.contains("SECRET"), "detail leaks record content: \(rejection.detail)")
    }

    @Test func everyDecoderRejectionCodeIsCovered() {
        let covered = Set(Self.rejectionCases.map(\.code))
        // `late_event` is produced by the session store and `future_timestamp` by the topology, not the decoder.
        #expect(covered == Set(RejectionCode.allCases).subtracting([.lateEvent, .futureTimestamp]))
        #expect(RejectionCode.lateEvent.rawValue == "late_event")
    }

    @Test func sizeLimitIsConfigurableAndDefaultsTo64KiB() throws {
        #expect(DecoderLimits().maxRecordBytes == 65_536)
        let padding = String(repeating: "x", count: 65_536)
        let big = "{\(Self.base),\"pad\":\"\(padding)\"}"
        guard case .failure(let r) = decodeOwned(big) else {
            Issue.record("accepted an oversized record")
            return
        }
        #expect(r.code == .tooLarge)
        let roomy = LifecycleEventDecoder(limits: DecoderLimits(maxRecordBytes: 128 * 1024))
        #expect(try decodeOwned(big, decoder: roomy).get().timestamp == 1)
    }

    @Test func depthLimitIsConfigurable() throws {
        let nested = "{\(Self.base),\"x\":" + String(repeating: "[", count: 10) + String(repeating: "]", count: 10) + "}"
        #expect(try decodeOwned(nested).get().timestamp == 1)  // depth 11 < 32
        let shallow = LifecycleEventDecoder(limits: DecoderLimits(maxDepth: 8))
        guard case .failure(let r) = decodeOwned(nested, decoder: shallow) else {
            Issue.record("accepted nesting beyond the limit")
            return
        }
        #expect(r.code == .tooLarge)
    }

    @Test func precedenceFollowsTheDocumentedOrder() {
        func code(_ json: String, key: String? = "cb-1") -> RejectionCode? {
            if case .failure(let r) = decodeOwned(json, key: key) { return r.code }
            return nil
        }
        // the first semantic problem in document order wins
        #expect(code(#"{"event":"nope","timestamp":"x","interactionId":"cb-1"}"#) == .unknownEvent)
        #expect(code(#"{"timestamp":"x","event":"nope","interactionId":"cb-1"}"#) == .badType)
        // semantic problems beat missing fields, which beat a key mismatch
        #expect(code(#"{"event":"nope"}"#, key: "zz") == .unknownEvent)
        #expect(code(#"{"interactionId":"cb-1","event":"ready"}"#, key: "zz") == .missingField)
    }

    @Test func detailsNameTheFieldAndOffset() {
        guard case .failure(let r) = decodeOwned(#"{"interactionId":"cb-1","event":"ready","timestamp":"1"}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(r.detail.contains("'timestamp'"))
        #expect(r.detail.contains("byte 52"))
        guard case .failure(let syntax) = decodeOwned(#"{"a" 1}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(syntax.detail == "invalid JSON at byte 5: expected ':' after an object key")
        guard case .failure(let missing) = decodeOwned(#"{"interactionId":"cb-1","timestamp":1}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(missing.detail == "missing required field 'event'")
    }
}
