import Testing
@testable import CallbackTraffic

/// The delivery-order promises the ground truth depends on, checked on the records themselves.
@Suite struct DeliveryOrderTests {
    static let configurations: [TrafficConfiguration] = [
        TestConfigurations.shortTimeout(seed: 21, interactions: 1_500, profile: TestConfigurations.noisy),
        TrafficConfiguration(seed: 22, interactions: 1_500, profile: TestConfigurations.noisy),
        // Sparse traffic: interactions far apart compared with the timeout.
        TrafficConfiguration(
            seed: 23, interactions: 300, spanMs: 3_600_000, inactivityTimeoutMs: 3_000, allowedLatenessMs: 1_000,
            profile: TestConfigurations.noisy
        ),
        // No lateness at all: nothing may be delivered late.
        TrafficConfiguration(seed: 24, interactions: 500, inactivityTimeoutMs: 3_000, allowedLatenessMs: 0, profile: TestConfigurations.noisy),
    ]

    @Test(arguments: configurations)
    func displacementStaysWithinAllowedLateness(_ configuration: TrafficConfiguration) throws {
        var maxSeen = Int64.min
        var displaced = 0
        for record in try TrafficGenerator(configuration: configuration) {
            if maxSeen > record.timestampMs {
                displaced += 1
                #expect(maxSeen - record.timestampMs < configuration.allowedLatenessMs)
            }
            maxSeen = max(maxSeen, record.timestampMs)
        }
        if configuration.allowedLatenessMs >= 3 { #expect(displaced > 0) }
    }

    @Test(arguments: configurations)
    func duplicatesAreIdenticalAndCounted(_ configuration: TrafficConfiguration) throws {
        let records = try TestConfigurations.records(configuration)
        let truth = try GroundTruth(configuration: configuration, includeSessions: false)
        var copies: [[UInt8]: Int] = [:]
        var valueByEventId: [String: [UInt8]] = [:]
        for (record, event) in records {
            copies[record.value, default: 0] += 1
            if let eventId = event.eventId {
                // An eventId is never reused for a different record.
                if let previous = valueByEventId[eventId] { #expect(previous == record.value) }
                valueByEventId[eventId] = record.value
            }
        }
        let duplicates = copies.values.reduce(0) { $0 + $1 - 1 }
        #expect(duplicates == truth.duplicatesInjected)
        #expect(copies.values.allSatisfy { $0 <= 2 })
        #expect(truth.duplicatesInjected > 0)
        #expect(records.count == truth.records)
    }

    @Test(arguments: configurations)
    func sessionsAreDeliveredAsTheTruthAssumes(_ configuration: TrafficConfiguration) throws {
        let records = try TestConfigurations.records(configuration)
        let truth = try GroundTruth(configuration: configuration)
        var sessions: [String: [ExpectedSession]] = [:]
        for session in truth.expectedSessions! { sessions[session.interactionId, default: []].append(session) }

        var globalMax = Int64.min
        var current: [String: (seq: Int, maxTs: Int64, seen: Set<[UInt8]>)] = [:]
        var closedAt: [String: Int64] = [:]
        var outOfOrder = 0
        for (record, event) in records {
            globalMax = max(globalMax, event.timestampMs)
            let mine = sessions[event.interactionId]!
            let session = try #require(mine.first {
                $0.firstEventTimestampMs <= event.timestampMs && event.timestampMs <= $0.lastEventTimestampMs
            })
            if let state = current[event.interactionId], state.seq == session.sessionSeq {
                // Even the most pessimistic watermark (all traffic on one partition) cannot have
                // timed the session out before this record.
                #expect(globalMax - configuration.allowedLatenessMs < state.maxTs + configuration.inactivityTimeoutMs)
                var state = state
                if state.seen.insert(record.value).inserted, event.timestampMs < state.maxTs { outOfOrder += 1 }
                state.maxTs = max(state.maxTs, event.timestampMs)
                current[event.interactionId] = state
            } else {
                // A session's first record is its earliest event, and it starts strictly after the
                // previous session's `closed` (never after a timed-out one).
                #expect(event.timestampMs == session.firstEventTimestampMs)
                #expect(session.sessionSeq == (current[event.interactionId]?.seq ?? 0) + 1)
                if session.sessionSeq > 1 {
                    let closed = try #require(closedAt[event.interactionId])
                    #expect(event.timestampMs >= closed + configuration.minReopenGapMs)
                }
                current[event.interactionId] = (session.sessionSeq, event.timestampMs, [record.value])
            }
            if event.event == .closed {
                #expect(session.closeReason == .closed)
                closedAt[event.interactionId] = event.timestampMs
            }
            // Nothing of an interaction follows its `closed` except a later session.
            if let closed = closedAt[event.interactionId], event.event != .closed || event.timestampMs != closed {
                #expect(event.timestampMs > closed)
            }
        }
        #expect(outOfOrder == truth.sessionOutOfOrderEvents)
        for (id, mine) in sessions {
            for (earlier, later) in zip(mine, mine.dropFirst()) {
                #expect(earlier.closeReason == .closed, "only a closed session is followed by another (\(id))")
                #expect(later.firstEventTimestampMs > earlier.timestamps.closed!)
            }
        }
    }

    @Test func outOfOrderSwapsHappenInsideSessions() throws {
        let truth = try GroundTruth(configuration: Self.configurations[0], includeSessions: false)
        #expect(truth.sessionOutOfOrderEvents > 0)
        #expect(truth.outOfOrderInjected >= truth.sessionOutOfOrderEvents)
    }
}

extension TrafficConfiguration: CustomTestStringConvertible {
    public var testDescription: String {
        "seed \(seed), \(interactions) interactions, timeout \(inactivityTimeoutMs) ms, lateness \(allowedLatenessMs) ms"
    }
}
