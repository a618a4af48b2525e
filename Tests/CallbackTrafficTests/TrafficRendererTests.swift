import Testing
@testable import CallbackTraffic

@Suite struct TrafficRendererTests {
    @Test func canonicalEventIsWrittenExactly() {
        let event = TrafficEvent(
            interactionId: "cb-1", event: .completed, timestampMs: 1_767_225_604_000, eventId: "e-5",
            metadata: TrafficMetadata(
                proactive: true, errors: [], form: [TrafficField("firstName", "Zoë"), TrafficField("phoneNumber", "+1-555-0100")],
                opened: 1_767_225_601_000, started: 1_767_225_602_000, completed: 1_767_225_604_000, elapsed: 2_000
            ),
            attributes: [TrafficField("tenant", "acme")]
        )
        let json = String(decoding: TrafficRenderer.render(event), as: UTF8.self)
        #expect(json == #"{"interactionId":"cb-1","event":"completed","timestamp":1767225604000,"eventId":"e-5","metadata":{"proactive":true,"prefilled":false,"autoSubmitted":false,"errors":false,"form":{"firstName":"Zoë","phoneNumber":"+1-555-0100"},"opened":1767225601000,"started":1767225602000,"cancelled":false,"completed":1767225604000,"closed":false,"elapsed":2000},"attributes":{"tenant":"acme"}}"#)
    }

    @Test func errorsAsStringsAndObjects() {
        var metadata = TrafficMetadata(errors: ["RATE_LIMITED", "NETWORK_ERROR"])
        let strings = TrafficEvent(interactionId: "x", event: .submitted, timestampMs: 5, metadata: metadata)
        #expect(String(decoding: TrafficRenderer.render(strings), as: UTF8.self).contains(#""errors":["RATE_LIMITED","NETWORK_ERROR"]"#))
        metadata.errorStyle = .objects
        let objects = TrafficEvent(interactionId: "x", event: .submitted, timestampMs: 5, metadata: metadata)
        let parsed = JSONValue.parse(TrafficRenderer.render(objects))
        let codes = parsed?["metadata"]?["errors"]?.array?.compactMap { $0["code"]?.string }
        #expect(codes == ["RATE_LIMITED", "NETWORK_ERROR"])
    }

    @Test func stringsAreEscaped() throws {
        let nasty = "quote \" backslash \\ newline \n tab \t bell \u{07} nul \u{0} emoji 🎉 é"
        let event = TrafficEvent(
            interactionId: "id-\"1\"", event: .submitted, timestampMs: -12, metadata: TrafficMetadata(form: [TrafficField("subject", nasty)]),
            attributes: [TrafficField("päge", "/a\\b")]
        )
        let bytes = TrafficRenderer.render(event)
        let parsed = try #require(JSONValue.parse(bytes))
        #expect(parsed["interactionId"]?.string == "id-\"1\"")
        #expect(parsed["timestamp"]?.int == -12)
        #expect(parsed["metadata"]?["form"]?["subject"]?.string == nasty)
        #expect(parsed["attributes"]?["päge"]?.string == "/a\\b")
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"bell \u0007 nul \u0000"#))
    }

    @Test func everyLayoutParsesToTheSameEvent() throws {
        let base = TrafficEvent(
            interactionId: "cb-2", event: .opened, timestampMs: 1_000, eventId: "e",
            metadata: TrafficMetadata(opened: 1_000), attributes: [TrafficField("tenant", "t")]
        )
        let reference = try #require(JSONValue.parse(TrafficRenderer.render(base)))
        var layouts = Set<[UInt8]>()
        for order in 0..<TrafficEventLayout.topLevelOrderCount {
            for metadataOrder in UInt8(0)...1 {
                for unknown in 0...TrafficEventLayout.unknownFieldVariantCount {
                    for spaced in [false, true] {
                        for optionalMembers in [true, false] {
                            var event = base
                            event.layout = TrafficEventLayout(
                                topLevelOrder: order, metadataOrder: metadataOrder, unknownField: unknown, spaced: spaced
                            )
                            if !optionalMembers {
                                event.eventId = nil
                                event.attributes = nil
                            }
                            event.prefixedName = spaced
                            let bytes = TrafficRenderer.render(event)
                            layouts.insert(bytes)
                            let parsed = try #require(JSONValue.parse(bytes), "\(String(decoding: bytes, as: UTF8.self))")
                            #expect(parsed["event"]?.string == (spaced ? "Callback.opened" : "opened"))
                            for key in ["interactionId", "timestamp"] { #expect(parsed[key] == reference[key]) }
                            if optionalMembers {
                                for key in ["eventId", "attributes"] { #expect(parsed[key] == reference[key]) }
                            } else {
                                #expect(parsed["eventId"] == nil && parsed["attributes"] == nil)
                            }
                            var metadata = try #require(parsed["metadata"]?.object)
                            metadata["dwell"] = nil
                            metadata["counters"] = nil
                            #expect(JSONValue.object(metadata) == reference["metadata"])
                        }
                    }
                }
            }
        }
        #expect(layouts.count == Int(TrafficEventLayout.topLevelOrderCount) * 2 * 5 * 2 * 2)
    }
}
