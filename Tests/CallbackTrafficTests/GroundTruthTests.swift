import Foundation
import Testing
@testable import CallbackTraffic

@Suite struct GroundTruthTests {
    @Test func countsFollowTheProfileRates() throws {
        let profile = TrafficProfile()
        let configuration = TrafficConfiguration(seed: 77, interactions: 20_000, profile: profile)
        let truth = try GroundTruth(configuration: configuration, includeSessions: false)

        #expect(ExpectedOutcome.allCases.map(truth.count(of:)).reduce(0, +) == truth.sessions)
        #expect(ExpectedCloseReason.allCases.map(truth.count(of:)).reduce(0, +) == truth.sessions)
        #expect(truth.sessions == configuration.interactions + truth.reopenedSessions)
        #expect(truth.publishedSessions == truth.sessions - truth.count(of: .notOpened))
        #expect(truth.records == truth.uniqueEvents + truth.duplicatesInjected)

        let totalWeight = ExpectedOutcome.allCases.map(profile.weight(of:)).reduce(0, +)
        for outcome in ExpectedOutcome.allCases {
            let share = Double(truth.count(of: outcome)) / Double(truth.sessions)
            #expect(abs(share - profile.weight(of: outcome) / totalWeight) < 0.015, "\(outcome)")
        }
        // Timeouts: every notOpened session plus neverClosedRate of the others.
        let notOpened = Double(truth.count(of: .notOpened))
        let expectedTimeouts = notOpened + profile.neverClosedRate * (Double(truth.sessions) - notOpened)
        #expect(abs(Double(truth.count(of: .inactivityTimeout)) - expectedTimeouts) < 0.01 * Double(truth.sessions))
        // Reopens: reopenRate of closed sessions (chains up to the cap).
        let reopenShare = Double(truth.reopenedSessions) / Double(truth.count(of: .closed))
        #expect(abs(reopenShare - profile.reopenRate) < 0.01)
        #expect(abs(Double(truth.duplicatesInjected) / Double(truth.uniqueEvents) - profile.duplicateRate) < 0.005)
        #expect(abs(Double(truth.flags["proactive"]!) / Double(truth.sessions) - profile.proactiveRate) < 0.015)
        #expect(abs(Double(truth.flags["prefilled"]!) / Double(truth.sessions) - profile.prefilledRate) < 0.015)
        #expect(truth.flags["autoSubmitted"]! > 0 && truth.flags["autoSubmitted"]! < truth.flags["prefilled"]!)
        #expect(truth.errorCodes.values.reduce(0, +) >= truth.count(of: .failed))
        #expect(Set(truth.errorCodes.keys).isSubset(of: FakeData.errorCodes))
    }

    @Test func scenarioShapesMatchTheirOutcome() throws {
        let truth = try GroundTruth(configuration: TrafficConfiguration(seed: 4, interactions: 5_000, profile: TestConfigurations.noisy))
        for session in truth.expectedSessions! {
            let events = session.events
            #expect(events.first == .ready)
            #expect(events == events.sorted(), "lifecycle order \(events)")
            #expect((events.last == .closed) == (session.closeReason == .closed))
            #expect(session.summaryId == "\(session.interactionId):\(session.sessionSeq):\(session.firstEventTimestampMs)")
            #expect(session.formFields == session.formFields.sorted())
            switch session.outcome {
            case .completed: #expect(events.contains(.completed) && session.errors.isEmpty)
            case .failed: #expect(events.contains(.submitted) && !events.contains(.completed) && !session.errors.isEmpty)
            case .submittedUnconfirmed: #expect(events.contains(.submitted) && !events.contains(.completed) && session.errors.isEmpty)
            case .abandonedForm: #expect(events.contains(.started) && !events.contains(.submitted))
            case .cancelledBeforeStart: #expect(events.contains(.opened) && !events.contains(.started))
            case .notOpened: #expect(events == [.ready])
            }
            #expect(session.formFields.isEmpty == !events.contains(.submitted))
            #expect(!session.autoSubmitted || (session.prefilled && events.contains(.submitted)))
        }
    }

    /// Three interactions with fixed scenarios, no randomness in timing or defects: the whole truth by hand.
    @Test func smallScriptedTrafficHasTheExactTruth() throws {
        var profile = TrafficProfile.clean
        profile.script = [
            .single(.completed),
            ScriptedInteraction([ScriptedSession(.cancelledBeforeStart), ScriptedSession(.submittedUnconfirmed, closes: false)]),
            .single(.notOpened, closes: false),
        ]
        let t = TrafficConfiguration.defaultStartTimeMs
        let configuration = TrafficConfiguration(
            seed: 2026, interactions: 3, spanMs: 3, minStepGapMs: 1_000, maxStepGapMs: 1_000, profile: profile
        )
        let truth = try GroundTruth(configuration: configuration)
        let records = try TestConfigurations.records(configuration)
        let sessions = try #require(truth.expectedSessions)
        #expect(sessions.count == 4)
        let (a, b1, b2, c) = (sessions[0], sessions[1], sessions[2], sessions[3])

        #expect(a.sessionSeq == 1 && a.outcome == .completed && a.closeReason == .closed)
        #expect(a.events == [.ready, .opened, .started, .submitted, .completed, .closed])
        #expect(a.timestamps == ExpectedTimestamps(
            ready: t, opened: t + 1_000, started: t + 2_000, submitted: t + 3_000, completed: t + 4_000, closed: t + 5_000
        ))
        #expect(a.summaryId == "\(a.interactionId):1:\(t)")
        #expect(a.elapsedMs == 2_000 && a.timeToStartMs == 1_000 && a.timeToSubmitMs == 1_000 && a.openDurationMs == 4_000)
        #expect(a.errors.isEmpty && a.records == 6 && a.duplicates == 0 && a.outOfOrderEvents == 0)
        #expect(!a.proactive && !a.prefilled && !a.autoSubmitted)
        #expect(a.formFields.contains("firstName") && a.formFields.contains("phoneNumber"))

        #expect(b1.interactionId == b2.interactionId)
        #expect(b1.sessionSeq == 1 && b1.outcome == .cancelledBeforeStart && b1.closeReason == .closed)
        #expect(b1.events == [.ready, .opened, .cancelled, .closed])
        #expect(b1.timestamps == ExpectedTimestamps(ready: t + 1, opened: t + 1_001, cancelled: t + 2_001, closed: t + 3_001))
        #expect(b1.elapsedMs == nil && b1.openDurationMs == 2_000 && b1.formFields.isEmpty)

        let reopenGap = b2.firstEventTimestampMs - (t + 3_001)
        #expect(reopenGap >= 2 * 1_800_000 + 5_000 && reopenGap <= 3 * 1_800_000 + 5_000)
        let s = b2.firstEventTimestampMs
        #expect(b2.sessionSeq == 2 && b2.outcome == .submittedUnconfirmed && b2.closeReason == .inactivityTimeout)
        #expect(b2.summaryId == "\(b2.interactionId):2:\(s)")
        #expect(b2.events == [.ready, .opened, .started, .submitted])
        #expect(b2.timestamps == ExpectedTimestamps(ready: s, opened: s + 1_000, started: s + 2_000, submitted: s + 3_000))
        #expect(b2.elapsedMs == nil && b2.openDurationMs == nil && !b2.formFields.isEmpty)

        #expect(c.outcome == .notOpened && c.closeReason == .inactivityTimeout && c.events == [.ready])
        #expect(c.timestamps == ExpectedTimestamps(ready: t + 2) && !c.isPublishedByDefault)

        #expect(truth.sessions == 4 && truth.publishedSessions == 3 && truth.reopenedSessions == 1)
        #expect(truth.records == 15 && truth.duplicatesInjected == 0 && truth.outOfOrderInjected == 0)
        #expect(truth.outcomes == ["completed": 1, "cancelledBeforeStart": 1, "submittedUnconfirmed": 1, "notOpened": 1, "failed": 0, "abandonedForm": 0])
        #expect(truth.closeReasons == ["closed": 2, "inactivityTimeout": 2])
        #expect(truth.firstEventTimestampMs == t && truth.lastEventTimestampMs == s + 3_000)

        // Delivery order: merged by event time across interactions.
        let expectedOrder: [(String, TrafficEventName, Int64)] = [
            (a.interactionId, .ready, t), (b1.interactionId, .ready, t + 1), (c.interactionId, .ready, t + 2),
            (a.interactionId, .opened, t + 1_000), (b1.interactionId, .opened, t + 1_001),
            (a.interactionId, .started, t + 2_000), (b1.interactionId, .cancelled, t + 2_001),
            (a.interactionId, .submitted, t + 3_000), (b1.interactionId, .closed, t + 3_001),
            (a.interactionId, .completed, t + 4_000), (a.interactionId, .closed, t + 5_000),
            (b2.interactionId, .ready, s), (b2.interactionId, .opened, s + 1_000),
            (b2.interactionId, .started, s + 2_000), (b2.interactionId, .submitted, s + 3_000),
        ]
        #expect(records.count == expectedOrder.count)
        for ((_, event), expected) in zip(records, expectedOrder) {
            #expect(event.interactionId == expected.0 && event.event == expected.1 && event.timestampMs == expected.2)
            #expect(event.eventId != nil && event.attributes != nil && !event.prefixed)
        }
        // The canonical layout, checked on the first record byte for byte.
        let first = String(decoding: records[0].0.value, as: UTF8.self)
        let tenant = a.tenant!
        #expect(first == #"{"interactionId":"\#(a.interactionId)","event":"ready","timestamp":\#(t),"eventId":"\#(records[0].1.eventId!)","metadata":{"proactive":false,"prefilled":false,"autoSubmitted":false,"errors":false,"form":false,"opened":false,"started":false,"cancelled":false,"completed":false,"closed":false,"elapsed":false},"attributes":{"tenant":"\#(tenant)","deployment":"\#(a.attributes["deployment"]!)","page":"\#(a.attributes["page"]!)"}}"#)
    }

    @Test func jsonRoundTripsWithSortedKeys() throws {
        let configuration = TrafficConfiguration(seed: 12, interactions: 200, profile: TestConfigurations.noisy)
        let truth = try GroundTruth(configuration: configuration)
        let data = try truth.jsonData()
        #expect(try GroundTruth.decode(from: data) == truth)
        let text = String(decoding: data, as: UTF8.self)
        let topKeys = ["allowedLatenessMs", "closeReasons", "duplicatesInjected", "errorCodes", "expectedSessions"]
        let positions = topKeys.map { text.range(of: "\"\($0)\"")!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(try GroundTruth.decode(from: truth.jsonData(prettyPrinted: false)) == truth)
        #expect(try truth.jsonData(prettyPrinted: false).count < data.count)
        let compact = try GroundTruth(configuration: configuration, includeSessions: false)
        #expect(compact.expectedSessions == nil)
        #expect(!String(decoding: try compact.jsonData(), as: UTF8.self).contains("expectedSessions"))
    }

    @Test func textReportSummarisesWithoutFormValues() throws {
        let configuration = TrafficConfiguration(seed: 13, interactions: 400)
        let truth = try GroundTruth(configuration: configuration)
        let report = truth.textReport
        #expect(report.contains("seed 13"))
        #expect(report.contains("2026-01-01T00:00:"))
        #expect(report.contains("sessions        \(truth.sessions) "))
        for outcome in ExpectedOutcome.allCases {
            #expect(report.contains("  \(outcome.rawValue) "))
        }
        let formValues = try TestConfigurations.records(configuration).flatMap { ($0.1.metadata["form"]?.object ?? [:]).values.compactMap(\.string) }
        #expect(!formValues.isEmpty)
        for value in Set(formValues) { #expect(!report.contains(value)) }
    }
}
