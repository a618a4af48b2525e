import Foundation
import Testing

@testable import CallbackStreamCore

/// The seed document's three lifecycle scenarios, end to end: the event records in
/// `schemas/examples/lifecycle-event.valid.scenario-*.jsonl` decoded, applied and encoded must
/// give exactly the bytes of `schemas/examples/summary.valid.scenario-*.json`.
@Suite struct SeedScenarioTests {
    static let scenarios: [(file: String, events: [LifecycleEventName], outcome: Outcome)] = [
        ("cancelled-before-start", [.ready, .opened, .cancelled, .closed], .cancelledBeforeStart),
        ("abandoned-form", [.ready, .opened, .started, .cancelled, .closed], .abandonedForm),
        ("completed", [.ready, .opened, .started, .submitted, .completed, .closed], .completed),
    ]

    static func records(_ name: String) throws -> [String] {
        let url = Repository.url("schemas/examples/lifecycle-event.valid.scenario-\(name).jsonl")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func expectedSummary(_ name: String) throws -> String {
        let url = Repository.url("schemas/examples/summary.valid.scenario-\(name).json")
        return try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .newlines)
    }

    /// Every `scenario-*` example pair (the seed's three plus a failed, timed-out session with a
    /// redelivered record): the summary's `sessionSeq` and `closeReason` come from the example.
    @Test(arguments: ["cancelled-before-start", "abandoned-form", "completed", "failed-timeout"])
    func exampleRecordsEncodeToTheExampleSummary(name: String) throws {
        let records = try Self.records(name)
        let expected = try Self.expectedSummary(name)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? [String: Any])
        let seq = try #require(object["sessionSeq"] as? Int)
        let reasonName = try #require(object["closeReason"] as? String)
        let reason = try #require(CloseReason(rawValue: reasonName))
        var driver = SessionDriver()
        for record in records { try driver.apply(record) }
        let id = try #require(interactionId(of: records[0]))
        #expect(driver.summary(interactionId: id, sessionSeq: seq, closeReason: reason) == expected)
    }

    @Test(arguments: 0..<3)
    func seedScenario(index: Int) throws {
        let scenario = Self.scenarios[index]
        let records = try Self.records(scenario.file)
        var driver = SessionDriver()
        for record in records {
            #expect(try driver.apply(record) == .applied(outOfOrder: false))
        }
        var names: [LifecycleEventName] = []
        driver.state.forEachEvent { name, _ in names.append(name) }
        #expect(names == scenario.events)
        #expect(driver.state.outcome == scenario.outcome)
        #expect(driver.state.hasClosed)
        #expect(driver.state.anomalies(sessionEnded: true).isEmpty)
        let id = try #require(interactionId(of: records[0]))
        #expect(driver.summary(interactionId: id) == (try Self.expectedSummary(scenario.file)))
    }

    @Test func seedSequencesVerbatimGiveTheSeedOutcomes() throws {
        // The seed's arrow notation, verbatim.
        let seed: [(String, Outcome)] = [
            ("ready -> opened -> cancelled -> closed", .cancelledBeforeStart),
            ("ready -> opened -> started -> cancelled -> closed", .abandonedForm),
            ("ready -> opened -> started -> submitted -> completed -> closed", .completed),
        ]
        for (sequence, outcome) in seed {
            var driver = SessionDriver()
            for (i, name) in sequence.components(separatedBy: " -> ").enumerated() {
                try driver.apply(EventJSON(name, 1_000 + Int64(i) * 1_000).json)
            }
            #expect(driver.state.outcome == outcome, "\(sequence)")
            #expect(driver.state.anomalies(sessionEnded: true).isEmpty, "\(sequence)")
        }
    }

    @Test func prefixedEventNamesGiveTheSameSummary() throws {
        let records = try Self.records("completed")
        var plain = SessionDriver()
        var prefixed = SessionDriver()
        for record in records {
            try plain.apply(record)
            let renamed = record.replacingOccurrences(of: "\"event\":\"", with: "\"event\":\"Callback.")
            #expect(renamed != record)
            try prefixed.apply(renamed)
        }
        #expect(plain.summary(interactionId: "cb-1003") == prefixed.summary(interactionId: "cb-1003"))
    }
}
