import Foundation
import Testing

@testable import CallbackStreamCore

/// One event of a table-driven session: name, timestamp, optional id and metadata JSON.
struct Step: Sendable {
    var name: String
    var ts: Int64
    var id: String?
    var metadata: String?
    var attributes: [(String, String)] = []

    init(_ name: String, _ ts: Int64, id: String? = nil, metadata: String? = nil, attributes: [(String, String)] = []) {
        self.name = name
        self.ts = ts
        self.id = id
        self.metadata = metadata
        self.attributes = attributes
    }

    var json: String { EventJSON(name, ts, id: id, metadata: metadata, attributes: attributes).json }
}

func session(_ steps: [Step], keepFormValues: Bool = false) throws -> SessionDriver {
    var driver = SessionDriver(keepFormValues: keepFormValues)
    for step in steps { try driver.apply(step.json) }
    return driver
}

@Suite struct InteractionStateTests {
    // MARK: - Outcomes

    struct OutcomeCase: Sendable, CustomTestStringConvertible {
        var label: String
        var steps: [Step]
        var outcome: Outcome
        var testDescription: String { label }
    }

    static let errorsMeta = #"{"errors":["E_PHONE"]}"#

    static let outcomeCases: [OutcomeCase] = [
        .init(
            label: "completed",
            steps: [Step("ready", 1), Step("opened", 2), Step("started", 3), Step("submitted", 4), Step("completed", 5), Step("closed", 6)],
            outcome: .completed),
        .init(
            label: "completed despite errors",
            steps: [Step("opened", 2), Step("started", 3), Step("submitted", 4, metadata: errorsMeta), Step("completed", 5)],
            outcome: .completed),
        .init(
            label: "failed",
            steps: [Step("ready", 1), Step("opened", 2), Step("started", 3), Step("submitted", 4, metadata: errorsMeta), Step("closed", 6)],
            outcome: .failed),
        .init(
            label: "failed with error objects",
            steps: [Step("opened", 2), Step("started", 3), Step("submitted", 4, metadata: #"{"errors":[{"code":"E1"}]}"#)],
            outcome: .failed),
        .init(
            label: "submittedUnconfirmed",
            steps: [Step("ready", 1), Step("opened", 2), Step("started", 3), Step("submitted", 4), Step("closed", 6)],
            outcome: .submittedUnconfirmed),
        .init(
            label: "submittedUnconfirmed with errors false",
            steps: [Step("opened", 2), Step("started", 3), Step("submitted", 4, metadata: #"{"errors":false}"#)],
            outcome: .submittedUnconfirmed),
        .init(
            label: "abandonedForm (cancelled)",
            steps: [Step("ready", 1), Step("opened", 2), Step("started", 3), Step("cancelled", 4), Step("closed", 5)],
            outcome: .abandonedForm),
        .init(
            label: "abandonedForm (timed out)",
            steps: [Step("ready", 1), Step("opened", 2), Step("started", 3)],
            outcome: .abandonedForm),
        .init(
            label: "abandonedForm with errors but no submit",
            steps: [Step("opened", 2), Step("started", 3, metadata: errorsMeta)],
            outcome: .abandonedForm),
        .init(
            label: "cancelledBeforeStart",
            steps: [Step("ready", 1), Step("opened", 2), Step("cancelled", 3), Step("closed", 4)],
            outcome: .cancelledBeforeStart),
        .init(
            label: "cancelledBeforeStart (closed without cancel)",
            steps: [Step("ready", 1), Step("opened", 2), Step("closed", 4)],
            outcome: .cancelledBeforeStart),
        .init(label: "notOpened (ready only)", steps: [Step("ready", 1)], outcome: .notOpened),
        .init(label: "notOpened (ready, closed)", steps: [Step("ready", 1), Step("closed", 2)], outcome: .notOpened),
    ]

    @Test(arguments: outcomeCases)
    func outcome(_ c: OutcomeCase) throws {
        let driver = try session(c.steps)
        #expect(driver.state.outcome == c.outcome)
        #expect(try driver.summaryObject()["outcome"] as? String == c.outcome.rawValue)
    }

    @Test func everyOutcomeIsCovered() {
        #expect(Set(Self.outcomeCases.map(\.outcome)) == Set(Outcome.allCases))
    }

    // MARK: - Anomalies

    struct AnomalyCase: Sendable, CustomTestStringConvertible {
        var label: String
        var steps: [Step]
        var anomalies: AnomalySet
        var testDescription: String { label }
    }

    static let clean = [Step("ready", 1), Step("opened", 2), Step("cancelled", 3), Step("closed", 4)]

    static let anomalyCases: [AnomalyCase] = [
        .init(label: "none", steps: clean, anomalies: []),
        .init(
            label: "outOfOrder",
            steps: [Step("opened", 2), Step("ready", 1), Step("cancelled", 3), Step("closed", 4)],
            anomalies: [.outOfOrder]),
        .init(
            label: "equal timestamps are not out of order",
            steps: [Step("opened", 2), Step("ready", 2), Step("cancelled", 3), Step("closed", 4)],
            anomalies: []),
        .init(
            label: "duplicate by eventId",
            steps: [Step("ready", 1, id: "a"), Step("opened", 2, id: "b"), Step("opened", 2, id: "b"), Step("closed", 4, id: "c")],
            anomalies: [.duplicate]),
        .init(
            label: "duplicate by eventId with a different timestamp counts once",
            steps: [Step("ready", 1, id: "a"), Step("opened", 2, id: "b"), Step("opened", 3, id: "b"), Step("closed", 4, id: "c")],
            anomalies: [.duplicate]),
        .init(
            label: "duplicate by event and timestamp",
            steps: [Step("ready", 1), Step("opened", 2), Step("closed", 4), Step("opened", 2)],
            anomalies: [.duplicate]),
        .init(
            label: "same event and timestamp with different eventIds are distinct",
            steps: [Step("ready", 1), Step("opened", 2, id: "x"), Step("opened", 2, id: "y"), Step("closed", 4)],
            anomalies: []),
        .init(
            label: "completed without submitted",
            steps: [Step("ready", 1), Step("opened", 2), Step("started", 3), Step("completed", 4), Step("closed", 5)],
            anomalies: [.invalidTransition]),
        .init(
            label: "event after closed",
            steps: [Step("ready", 1), Step("opened", 2), Step("closed", 3), Step("started", 4)],
            anomalies: [.invalidTransition]),
        .init(
            label: "second closed",
            steps: [Step("ready", 1), Step("opened", 2), Step("closed", 3, id: "c1"), Step("closed", 4, id: "c2")],
            anomalies: [.invalidTransition]),
        .init(
            label: "cancelled after completed",
            steps: [
                Step("opened", 2), Step("started", 3), Step("submitted", 4), Step("completed", 5), Step("cancelled", 6), Step("closed", 7),
            ],
            anomalies: [.invalidTransition]),
        .init(
            label: "submitted without started",
            steps: [Step("ready", 1), Step("opened", 2), Step("submitted", 3), Step("closed", 4)],
            anomalies: [.invalidTransition]),
        .init(
            label: "auto-submitted without started is fine",
            steps: [
                Step("ready", 1), Step("opened", 2, metadata: #"{"autoSubmitted":true,"opened":2}"#),
                Step("submitted", 3, metadata: #"{"autoSubmitted":true,"prefilled":true,"opened":2}"#),
                Step("closed", 4, metadata: #"{"autoSubmitted":true,"prefilled":true,"opened":2,"closed":4}"#),
            ],
            anomalies: []),
        .init(
            label: "started without opened",
            steps: [Step("ready", 1), Step("started", 2), Step("cancelled", 3), Step("closed", 4)],
            anomalies: [.invalidTransition]),
        .init(
            label: "stage goes backwards",
            steps: [Step("ready", 1), Step("opened", 2, id: "o1"), Step("started", 3), Step("opened", 4, id: "o2"), Step("closed", 5)],
            anomalies: [.invalidTransition]),
        .init(
            label: "ready after opened",
            steps: [Step("opened", 2), Step("ready", 3), Step("closed", 5)],
            anomalies: [.invalidTransition]),
        .init(
            label: "resubmission is fine",
            steps: [
                Step("opened", 2), Step("started", 3), Step("submitted", 4, id: "s1"), Step("submitted", 5, id: "s2"),
                Step("completed", 6), Step("closed", 7),
            ],
            anomalies: []),
        .init(label: "missingClosed", steps: [Step("ready", 1), Step("opened", 2)], anomalies: [.missingClosed]),
        .init(
            label: "metadata differs from the event's timestamp",
            steps: [Step("ready", 1), Step("opened", 2, metadata: #"{"opened":3}"#), Step("closed", 4)],
            anomalies: [.metadataMismatch]),
        .init(
            label: "events' metadata disagree",
            steps: [
                Step("ready", 1), Step("opened", 2, metadata: #"{"opened":2}"#), Step("cancelled", 3, metadata: #"{"opened":7,"cancelled":3}"#),
                Step("closed", 4),
            ],
            anomalies: [.metadataMismatch]),
        .init(
            label: "metadata of a later stage arriving before its event is checked when the event comes",
            steps: [
                Step("ready", 1), Step("opened", 2, metadata: #"{"opened":2,"closed":9}"#), Step("closed", 4, metadata: #"{"opened":2,"closed":4}"#),
            ],
            anomalies: [.metadataMismatch]),
        .init(
            label: "metadata for an event never seen is not a mismatch",
            steps: [Step("ready", 1), Step("opened", 2, metadata: #"{"opened":2,"started":77}"#), Step("closed", 4)],
            anomalies: []),
        .init(
            label: "several at once",
            steps: [
                Step("opened", 5, id: "o"), Step("ready", 1, id: "r"), Step("opened", 5, id: "o"),
                Step("completed", 6, metadata: #"{"opened":4}"#),
            ],
            anomalies: [.outOfOrder, .duplicate, .invalidTransition, .missingClosed, .metadataMismatch]),
    ]

    @Test(arguments: anomalyCases)
    func anomalies(_ c: AnomalyCase) throws {
        let driver = try session(c.steps)
        #expect(driver.state.anomalies(sessionEnded: true) == c.anomalies)
        let rendered = try driver.summaryObject(closeReason: driver.state.hasClosed ? .closed : .inactivityTimeout)
        #expect(rendered["anomalies"] as? [String] == c.anomalies.wireNames)
    }

    @Test func everyAnomalyIsCovered() throws {
        var covered = Self.anomalyCases.reduce(AnomalySet()) { $0.union($1.anomalies) }
        // `evicted` comes from the store, through the encoder's extraAnomalies.
        let driver = try session(Self.clean)
        let rendered = try driver.summaryObject(extraAnomalies: [.evicted])
        #expect(rendered["anomalies"] as? [String] == ["evicted"])
        covered.insert(.evicted)
        #expect(covered == AnomalySet(AnomalySet.all.map(\.anomaly)))
    }

    @Test func missingClosedIsOnlyReportedForEndedSessions() throws {
        let driver = try session([Step("ready", 1), Step("opened", 2)])
        #expect(driver.state.anomalies(sessionEnded: false).isEmpty)
        #expect(driver.state.anomalies(sessionEnded: true) == [.missingClosed])
    }

    @Test func applyReportsDuplicatesAndOutOfOrder() throws {
        var driver = SessionDriver()
        #expect(try driver.apply(Step("opened", 5, id: "a").json) == .applied(outOfOrder: false))
        #expect(try driver.apply(Step("ready", 1, id: "b").json) == .applied(outOfOrder: true))
        #expect(try driver.apply(Step("ready", 1, id: "b").json) == .duplicate)
        #expect(try driver.apply(Step("closed", 9, id: "c").json) == .applied(outOfOrder: false))
        #expect(driver.state.eventCount == 3)
        #expect(driver.state.firstEventTimestamp == 1)
        #expect(driver.state.lastEventTimestamp == 9)
        #expect(driver.state.hasClosed)
    }

    @Test func aConflictingDuplicateKeepsTheFirstArrival() throws {
        // Same eventId, different content: documented as "first arrival wins" (the only case
        // where arrival order changes more than the outOfOrder anomaly).
        let a = Step("opened", 2, id: "e", attributes: [("page", "/a")])
        let b = Step("opened", 2, id: "e", attributes: [("page", "/b")])
        #expect(try session([a, b]).summaryObject()["attributes"] as? [String: String] == ["page": "/a"])
        #expect(try session([b, a]).summaryObject()["attributes"] as? [String: String] == ["page": "/b"])
    }

    // MARK: - Merging

    @Test func flagsComeFromTheLatestEventByEventTime() throws {
        // The later event (ts 5) says proactive; the earlier one (ts 3) arrives last and says not.
        let driver = try session([
            Step("opened", 5, metadata: #"{"proactive":true,"prefilled":true}"#),
            Step("ready", 3, metadata: #"{"proactive":false,"autoSubmitted":true}"#),
            Step("started", 4),  // no metadata: no effect
        ])
        #expect(driver.state.proactive && driver.state.prefilled && !driver.state.autoSubmitted)
    }

    @Test func flagsOfSimultaneousEventsAreOred() throws {
        for order in [[0, 1], [1, 0]] {
            let steps = [
                Step("opened", 5, id: "x", metadata: #"{"proactive":true}"#),
                Step("opened", 5, id: "y", metadata: #"{"prefilled":true}"#),
            ]
            let driver = try session(order.map { steps[$0] })
            #expect(driver.state.proactive && driver.state.prefilled)
        }
    }

    @Test func attributesMergeLatestEventTimeWins() throws {
        let driver = try session([
            Step("opened", 20, attributes: [("page", "/late"), ("tenant", "acme")]),
            Step("ready", 10, attributes: [("page", "/early"), ("referrer", "ad")]),
        ])
        let attrs = try #require(try driver.summaryObject()["attributes"] as? [String: String])
        #expect(attrs == ["page": "/late", "tenant": "acme", "referrer": "ad"])
        #expect(driver.summary().contains(#""attributes":{"page":"/late","referrer":"ad","tenant":"acme"}"#))
        let tenant = try #require(driver.state.attributeValue(forKey: "tenant", symbols: driver.symbols))
        #expect(driver.symbols.string(tenant) == "acme")
        #expect(driver.state.attributeValue(forKey: "nope", symbols: driver.symbols) == nil)
    }

    @Test func attributeTiesPickTheBytewiseLargerValue() throws {
        for order in [[0, 1], [1, 0]] {
            let steps = [
                Step("opened", 5, id: "x", attributes: [("page", "/a")]),
                Step("opened", 5, id: "y", attributes: [("page", "/b")]),
            ]
            let driver = try session(order.map { steps[$0] })
            #expect(try driver.summaryObject()["attributes"] as? [String: String] == ["page": "/b"])
        }
    }

    @Test func errorsAndFormFieldsAreUnionsSortedBytewise() throws {
        let driver = try session([
            Step("submitted", 4, metadata: #"{"errors":["E_b","E_a"],"form":{"phone":"1","name":"x"}}"#),
            Step("completed", 5, metadata: #"{"errors":[{"code":"E_c"},"E_a"],"form":{"Zip":"9","name":"y"}}"#),
        ])
        let object = try driver.summaryObject()
        #expect(object["errors"] as? [String] == ["E_a", "E_b", "E_c"])
        #expect(object["formFields"] as? [String] == ["Zip", "name", "phone"])
        #expect(driver.state.errorCodeCount == 3 && driver.state.formFieldCount == 3)
    }

    @Test func formValuesAreNeverStoredUnlessKept() throws {
        let steps = [Step("submitted", 4, metadata: #"{"form":{"ssn":"123-45-6789","age":36}}"#)]
        let plain = try session(steps)
        #expect(!plain.state.keepsFormValues)
        for i in 0..<plain.symbols.entries.count where plain.symbols.referenceCount(SymbolID(rawValue: UInt32(i))) > 0 {
            #expect(!plain.symbols.string(SymbolID(rawValue: UInt32(i))).contains("6789"))
        }
        #expect(!plain.summary(includeFormValues: true).contains("6789"))
        let kept = try session(steps, keepFormValues: true)
        #expect(!kept.summary().contains("6789"))
        #expect(kept.summary(includeFormValues: true).hasSuffix(#""form":{"age":36,"ssn":"123-45-6789"}}"#))
    }

    @Test func keptFormValuesFollowTheLatestEvent() throws {
        let driver = try session(
            [
                Step("completed", 9, metadata: #"{"form":{"phone":"+2"}}"#),
                Step("submitted", 4, metadata: #"{"form":{"phone":"+1","name":"Ada"}}"#),
            ], keepFormValues: true)
        #expect(driver.summary(includeFormValues: true).hasSuffix(#""form":{"name":"Ada","phone":"+2"}}"#))
    }

    @Test func durations() throws {
        let full = try session([
            Step("ready", 1_000), Step("opened", 1_500), Step("started", 2_000), Step("submitted", 5_000),
            Step("completed", 6_000), Step("closed", 9_000),
        ])
        #expect(full.state.timeToStartMs == 500)
        #expect(full.state.timeToSubmitMs == 3_000)
        #expect(full.state.openDurationMs == 7_500)
        #expect(full.state.elapsedMs == 4_000)  // started → completed (no metadata elapsed)

        let cancelled = try session([Step("opened", 1_500), Step("started", 2_000), Step("cancelled", 2_700)])
        #expect(cancelled.state.elapsedMs == 700)  // started → cancelled
        #expect(cancelled.state.timeToSubmitMs == nil && cancelled.state.openDurationMs == nil)

        let withMetadata = try session([
            Step("started", 2_000), Step("cancelled", 2_700, metadata: #"{"elapsed":650}"#),
            Step("closed", 2_800, metadata: #"{"elapsed":655}"#),
            Step("opened", 1_500, metadata: #"{"elapsed":1}"#),  // earlier event: does not win
        ])
        #expect(withMetadata.state.elapsedMs == 655)

        let none = try session([Step("ready", 1)])
        #expect(none.state.elapsedMs == nil && none.state.timeToStartMs == nil)
    }

    @Test func eventTimestampsUseTheEarliestEventOfEachName() throws {
        let driver = try session([Step("opened", 9, id: "b"), Step("opened", 4, id: "a"), Step("ready", 1)])
        let t = driver.state.eventTimestamps
        #expect(t[.opened] == 4 && t[.ready] == 1 && t[.closed] == nil)
        var seen: [Int64] = []
        driver.state.forEachEvent { _, ts in seen.append(ts) }
        #expect(seen == [1, 4, 9])
    }

    // MARK: - Limits

    @Test func eventLimitRefusesWithoutChangingTheState() throws {
        var driver = SessionDriver()
        driver.limits = InteractionLimits(maxEvents: 2)
        try driver.apply(Step("ready", 1).json)
        try driver.apply(Step("opened", 2).json)
        let before = driver.summary()
        #expect(try driver.apply(Step("closed", 3).json) == .limitExceeded)
        #expect(driver.summary() == before)
        #expect(try driver.apply(Step("opened", 2).json) == .duplicate)  // duplicates are still recognised
    }

    @Test func distinctValueLimitCountsOnlyNewValues() throws {
        var driver = SessionDriver()
        driver.limits = InteractionLimits(maxDistinctValues: 2)
        #expect(try driver.apply(Step("ready", 1, attributes: [("a", "1"), ("b", "1")]).json) == .applied(outOfOrder: false))
        #expect(try driver.apply(Step("opened", 2, attributes: [("a", "2"), ("b", "2")]).json) == .applied(outOfOrder: false))
        let before = driver.summary()
        #expect(try driver.apply(Step("started", 3, attributes: [("a", "3"), ("c", "3")]).json) == .limitExceeded)
        #expect(driver.summary() == before)
        #expect(
            try driver.apply(Step("started", 3, metadata: #"{"errors":["x","y","z"]}"#).json) == .limitExceeded)
        #expect(
            try driver.apply(Step("started", 3, metadata: #"{"form":{"x":1,"y":2,"z":3}}"#).json) == .limitExceeded)
        #expect(driver.summary() == before)
    }

    // MARK: - Symbols and size

    @Test func releasingSessionsFreesTheirSymbols() throws {
        let decoder = LifecycleEventDecoder()
        var symbols = SymbolTable()
        var states: [InteractionState] = []
        for i in 0..<3 {
            var state = InteractionState(keepFormValues: true)
            let json = EventJSON(
                "submitted", 10, metadata: #"{"errors":["E1"],"form":{"f":"v\#(i)"}}"#,
                attributes: [("tenant", "acme"), ("page", "/p\(i)")]
            ).json
            decoder.decode(key: Array("cb-1".utf8), value: Array(json.utf8)) { result in
                if case .event(let e) = result { _ = state.apply(e, symbols: &symbols) }
            }
            states.append(state)
        }
        // shared: E1, f, tenant, acme, page; per session: "v<i>" (raw JSON text), /p<i>
        #expect(symbols.count == 5 + 3 * 2)
        let acme = try #require(symbols.lookup(UnsafeRawBufferPointer(start: ("acme" as StaticString).utf8Start, count: 4)))
        #expect(symbols.referenceCount(acme) == 3)
        states[0].releaseSymbols(in: &symbols)
        #expect(symbols.count == 5 + 2 * 2)
        #expect(symbols.referenceCount(acme) == 2)
        #expect(states[0].eventCount == 0)
        states[1].releaseSymbols(in: &symbols)
        states[2].releaseSymbols(in: &symbols)
        #expect(symbols.count == 0 && symbols.storedBytes == 0)
    }

    @Test func typicalSessionFitsIn300Bytes() throws {
        let records = try SeedScenarioTests.records("completed")
        var driver = SessionDriver()
        for record in records { try driver.apply(record) }
        let bytes = driver.state.memoryFootprint
        #expect(bytes <= 300, "a 6-event session with 3 attributes and 4 form fields takes \(bytes) bytes")
        #expect(MemoryLayout<InteractionState>.stride <= 96)
    }
}
