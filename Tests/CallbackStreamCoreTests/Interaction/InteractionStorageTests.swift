import Testing

@testable import CallbackStreamCore

/// The heap block behind ``InteractionState``: layout, sizing, growth and copy on write.
@Suite struct InteractionStorageTests {
    static let readyMetadata =
        #"{"autoSubmitted":false,"cancelled":false,"closed":false,"completed":false,"elapsed":false,"errors":false,"#
        + #""form":false,"opened":false,"prefilled":true,"proactive":false,"started":false}"#
    static let replayAttributes = [("tenant", "acme"), ("deployment", "prod-us-1"), ("page", "/support")]

    @Test func theStateIsOneReferenceAndTheWordsFollowTheHeader() {
        #expect(MemoryLayout<InteractionState>.size == 8)
        #expect(MemoryLayout<InteractionState?>.stride == 8)
        #expect(MemoryLayout<InteractionHeader>.size == 52 && MemoryLayout<InteractionHeader>.alignment == 4)
        let block = InteractionStorage.make(header: InteractionHeader(), capacity: 13)
        let start = UnsafeRawPointer(Unmanaged.passUnretained(block).toOpaque())
        #expect(UnsafeRawPointer(block.words) - start == InteractionStorage.wordsOffset)
        #expect(UnsafeRawPointer(block.fields) - start == 16)
        #expect(block.fields.pointee.capacity >= 13)
    }

    @Test func aReadyOnlySessionTakesOne128ByteChunk() throws {
        // The replay benchmark's shape: one `ready` event, a metadata block, 3 attributes.
        var driver = SessionDriver()
        try driver.apply(EventJSON("ready", 1_000, id: "e1", metadata: Self.readyMetadata, attributes: Self.replayAttributes).json)
        #expect(driver.state.storage.fields.pointee.capacity == 13)  // 4 event words + 3 × 3 attribute words
        #expect(driver.state.memoryFootprint == 8 + 128)
    }

    @Test func statesWithoutEventsShareAnEmptyBlockAndKeepTheirFormSetting() {
        let a = InteractionState(), b = InteractionState()
        #expect(a.storage === b.storage)
        #expect(a.memoryFootprint == 8 && a.eventCount == 0)
        let keeping = InteractionState(keepFormValues: true)
        #expect(keeping.keepsFormValues && !a.keepsFormValues)
        #expect(keeping.storage !== a.storage)
    }

    @Test func theFirstEventAllocatesAndTheSharedEmptyBlockStaysEmpty() throws {
        var driver = SessionDriver()
        let empty = driver.state.storage
        try driver.apply(EventJSON("ready", 1_000, attributes: [("tenant", "acme")]).json)
        #expect(driver.state.storage !== empty)
        #expect(InteractionState().eventCount == 0 && InteractionState().attributeCount == 0)
        #expect(empty.fields.pointee.nEvents == 0 && empty.fields.pointee.capacity == 0)
    }

    @Test func growingKeepsEveryWordInPlace() throws {
        // Many events out of order and new attribute keys on every event: many regrowths,
        // insertions in the middle of every section.
        var grown = SessionDriver()
        var reference: [String] = []
        for i in 0..<60 {
            let ts = Int64(10_000 + (i * 37) % 60 * 10)
            let json = EventJSON(
                i % 2 == 0 ? "opened" : "started", ts, id: "e\(i)",
                metadata: #"{"errors":["E\#(i % 7)"],"form":{"f\#(i % 5)":"v"}}"#,
                attributes: [("k\(i)", "v\(i)"), ("shared", "s\(i)")]
            ).json
            reference.append(json)
            try grown.apply(json)
        }
        #expect(grown.state.eventCount == 60)
        #expect(grown.state.attributeCount == 61)
        #expect(grown.state.errorCodeCount == 7 && grown.state.formFieldCount == 5)
        // The same events in timestamp order give the same summary apart from `outOfOrder`.
        var sorted = SessionDriver()
        let ordered = reference.enumerated().sorted { a, b in
            let ta = 10_000 + (a.offset * 37) % 60 * 10, tb = 10_000 + (b.offset * 37) % 60 * 10
            return ta < tb
        }
        for (_, json) in ordered { try sorted.apply(json) }
        let anomalies = grown.state.anomalies(sessionEnded: true).subtracting(.outOfOrder)
        #expect(anomalies == sorted.state.anomalies(sessionEnded: true))
        #expect(
            grown.summary().replacingOccurrences(of: #""outOfOrder","#, with: "")
                == sorted.summary().replacingOccurrences(of: #""outOfOrder","#, with: ""))
        // The block holds exactly the sections (no word lost or duplicated by a move).
        #expect(grown.state.wordsEnd == 60 * 4 + 7 + 5 + 61 * 3)
        #expect(Int(grown.state.storage.fields.pointee.capacity) >= grown.state.wordsEnd)
    }

    @Test func aCopyIsIndependentOfTheOriginal() throws {
        var driver = SessionDriver()
        try driver.apply(EventJSON("ready", 1_000, id: "e1", attributes: [("tenant", "acme")]).json)
        try driver.apply(EventJSON("opened", 2_000, id: "e2", metadata: #"{"proactive":true}"#).json)
        let before = driver.summary()
        let original = driver.state
        // Writes to the copy (new event, new attribute, flag change, duplicate anomaly) copy the block.
        try driver.apply(EventJSON("started", 3_000, id: "e3", metadata: #"{"proactive":false}"#, attributes: [("page", "/p")]).json)
        try driver.apply(EventJSON("started", 3_000, id: "e3").json)
        #expect(driver.state.storage !== original.storage)
        #expect(driver.state.eventCount == 3 && original.eventCount == 2)
        #expect(original.proactive && !driver.state.proactive)
        #expect(original.anomalies(sessionEnded: false).isEmpty)
        #expect(driver.state.anomalies(sessionEnded: false).contains(.duplicate))
        driver.state = original
        #expect(driver.summary() == before)
    }

    @Test func aUniqueStateIsUpdatedInPlaceWhileItFits() throws {
        var driver = SessionDriver()
        try driver.apply(EventJSON("ready", 1_000, id: "e1", attributes: [("tenant", "acme")]).json)
        // Not a reference (that would make the block shared): its identity. The block is
        // allocated before the old one is released, so a copy would have another address.
        let block = ObjectIdentifier(driver.state.storage)
        // A duplicate only records an anomaly: no word is added, so the block stays.
        try driver.apply(EventJSON("ready", 1_000, id: "e1", attributes: [("tenant", "acme")]).json)
        #expect(ObjectIdentifier(driver.state.storage) == block)
        #expect(driver.state.anomalies(sessionEnded: false).contains(.duplicate))
    }

    @Test func releasingSymbolsReturnsToTheSharedEmptyBlock() throws {
        var driver = SessionDriver(keepFormValues: true)
        try driver.apply(EventJSON("submitted", 1_000, metadata: #"{"form":{"phone":"123"}}"#, attributes: [("tenant", "acme")]).json)
        #expect(driver.symbols.count == 4)
        driver.state.releaseSymbols(in: &driver.symbols)
        #expect(driver.symbols.count == 0)
        #expect(driver.state.storage === InteractionState(keepFormValues: true).storage)
        #expect(driver.state.keepsFormValues && driver.state.memoryFootprint == 8)
    }
}
