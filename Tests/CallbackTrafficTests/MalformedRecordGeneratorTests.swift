import Testing
@testable import CallbackTraffic

@Suite struct MalformedRecordGeneratorTests {
    @Test func everyKindIsLabelledAndReallyBroken() throws {
        let flood = Array(MalformedRecordGenerator(seed: 1, count: 9 * 12))
        #expect(flood.count == 108)
        #expect(Set(flood.map(\.kind)) == Set(MalformedKind.allCases))
        #expect(flood == Array(MalformedRecordGenerator(seed: 1, count: 108)))
        for bad in flood {
            let value = bad.record.value
            let parsed = JSONValue.parse(value)
            #expect(bad.expectedErrorCode == bad.kind.expectedErrorCode)
            #expect(String(decoding: bad.record.key, as: UTF8.self).hasPrefix("malformed-"))
            switch bad.kind {
            case .truncatedJSON, .emptyValue:
                #expect(parsed == nil, "\(bad.detail)")
            case .invalidUTF8:
                #expect(String(validating: value, as: UTF8.self) == nil, "\(bad.detail)")
                #expect(parsed == nil, "\(bad.detail)")
            case .deepNesting:
                #expect(value.count < MalformedRecordGenerator.sizeLimit)
                #expect(value.filter { $0 == 0x5B }.count >= MalformedRecordGenerator.nestingDepth)
            case .wrongType:
                let top = try #require(parsed, "\(bad.detail)")
                let timestampWrong = top["timestamp"] != nil && top["timestamp"]?.int == nil
                let eventWrong = top["event"] != nil && top["event"]?.string == nil
                #expect(timestampWrong != eventWrong, "\(bad.detail)")
            case .tooLarge:
                #expect(value.count > MalformedRecordGenerator.sizeLimit)
                #expect(try ParsedEvent(bad.record).key == String(decoding: bad.record.key, as: UTF8.self))
            case .keyMismatch:
                let event = try ParsedEvent(bad.record)
                #expect(event.key != event.interactionId)
            case .missingField:
                let top = try #require(parsed?.object)
                #expect([top["timestamp"], top["event"], top["interactionId"]].filter { $0 == nil }.count == 1)
            case .unknownEvent:
                let name = try #require(parsed?["event"]?.string)
                #expect(TrafficEventName(rawValue: name.replacingOccurrences(of: "Callback.", with: "")) == nil)
                #expect(throws: ContractViolation.self) { try ParsedEvent(bad.record) }
            }
        }
    }

    @Test func kindsCanBeChosen() {
        let only = Array(MalformedRecordGenerator(seed: 2, count: 10, kinds: [.keyMismatch]))
        #expect(only.allSatisfy { $0.kind == .keyMismatch && $0.expectedErrorCode == "key_mismatch" })
    }
}
