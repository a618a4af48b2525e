import Testing
@testable import CallbackTraffic

@Suite struct GeneratedRecordContractTests {
    @Test func everyRecordFollowsTheInputContract() throws {
        let configuration = TestConfigurations.shortTimeout(seed: 11, interactions: 1_500, profile: TestConfigurations.noisy)
        let records = try TestConfigurations.records(configuration)
        let truth = try GroundTruth(configuration: configuration)
        #expect(records.count == truth.records)
        var sessionsById: [String: [ExpectedSession]] = [:]
        for session in truth.expectedSessions! { sessionsById[session.interactionId, default: []].append(session) }

        for (record, event) in records {
            #expect(event.key == event.interactionId)
            #expect(record.timestampMs == event.timestampMs)
            let session = try #require(sessionsById[event.interactionId]?.first {
                $0.firstEventTimestampMs <= event.timestampMs && event.timestampMs <= $0.lastEventTimestampMs
            })
            #expect(session.timestamps[event.event] == event.timestampMs)
            // Metadata is cumulative: a timestamp is set exactly from its event on, and equals it.
            for name in [TrafficEventName.opened, .started, .cancelled, .completed, .closed] {
                let expected = session.timestamps[name].flatMap { $0 <= event.timestampMs ? $0 : nil }
                #expect(event.metadata[name.rawValue]?.int == expected, "\(name) on \(event.event)")
            }
            let submittedYet = session.timestamps.submitted.map { $0 <= event.timestampMs } ?? false
            #expect(event.errorCodes == (submittedYet ? session.errors : []))
            #expect(event.formFields == (submittedYet ? session.formFields : []))
            let ended = [session.timestamps.cancelled, session.timestamps.completed].compactMap { $0 }.first
            if let ended, ended <= event.timestampMs, session.timestamps.started != nil {
                #expect(event.metadata["elapsed"]?.int == session.elapsedMs)
            } else {
                #expect(event.metadata["elapsed"]?.bool == false)
            }
            #expect(event.metadata["proactive"]?.bool == session.proactive)
            #expect(event.metadata["prefilled"]?.bool == session.prefilled)
            #expect(event.metadata["autoSubmitted"]?.bool == session.autoSubmitted)
            if let attributes = event.attributes {
                #expect(attributes == session.attributes)
                #expect(attributes["tenant"] != nil)
            }
        }
    }

    @Test func trafficShowsTheRealWorldVariety() throws {
        let configuration = TrafficConfiguration(seed: 3, interactions: 2_000, profile: TestConfigurations.noisy)
        let records = try TestConfigurations.records(configuration)
        let values = records.map { String(decoding: $0.0.value, as: UTF8.self) }
        #expect(records.contains { $0.1.prefixed })
        #expect(records.contains { !$0.1.prefixed })
        #expect(records.contains { $0.1.eventId == nil })
        #expect(records.contains { $0.1.attributes == nil })
        #expect(values.contains { $0.hasPrefix(#"{"interactionId":"#) })
        #expect(values.contains { $0.hasPrefix(#"{"metadata":"#) })
        #expect(values.contains { $0.contains("\"widgetVersion\"") })
        #expect(values.contains { $0.contains("\"_trace\"") })
        #expect(values.contains { $0.contains("\"dwell\"") })
        #expect(values.contains { $0.contains("\"source\":null") || $0.contains("\"source\": null") })
        #expect(values.contains { $0.contains("\", \"") })
        #expect(records.contains { $0.1.metadata["errors"]?.array?.first?.string != nil })
        #expect(records.contains { $0.1.metadata["errors"]?.array?.first?["code"]?.string != nil })
        let formFields = Set(records.flatMap(\.1.formFields))
        #expect(formFields.isSuperset(of: ["firstName", "lastName", "phoneNumber", "email"]))
        let tenants = Set(records.compactMap { $0.1.attributes?["tenant"] })
        #expect(tenants == Set(TrafficProfile().tenants))
    }

    @Test func tenantsAreSkewedTowardTheFirst() throws {
        let truth = try GroundTruth(configuration: TrafficConfiguration(seed: 8, interactions: 10_000), includeSessions: false)
        let counts = TrafficProfile().tenants.map { truth.tenants[$0] ?? 0 }
        #expect(counts[0] > counts[1] && counts[1] > counts[counts.count - 1])
        #expect(counts.reduce(0, +) == truth.sessions)
    }
}
