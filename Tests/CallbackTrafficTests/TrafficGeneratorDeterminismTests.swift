import Testing
@testable import CallbackTraffic

@Suite struct TrafficGeneratorDeterminismTests {
    @Test func sameSeedGivesSameBytes() throws {
        let configuration = TrafficConfiguration(seed: 42, interactions: 500, profile: TestConfigurations.noisy)
        let first = Array(try TrafficGenerator(configuration: configuration))
        let generator = try TrafficGenerator(configuration: configuration)
        let second = Array(generator)
        let third = Array(generator)
        #expect(first.count > 500)
        #expect(first == second)
        #expect(second == third)
    }

    @Test func differentSeedGivesDifferentTraffic() throws {
        let a = Array(try TrafficGenerator(configuration: TrafficConfiguration(seed: 1, interactions: 200)))
        let b = Array(try TrafficGenerator(configuration: TrafficConfiguration(seed: 2, interactions: 200)))
        #expect(a != b)
        #expect(Set(a.map(\.key)).isDisjoint(with: Set(b.map(\.key))))
    }

    @Test func truthIsDeterministicToTheByte() throws {
        let configuration = TrafficConfiguration(seed: 9, interactions: 300, profile: TestConfigurations.noisy)
        let a = try GroundTruth(configuration: configuration).jsonData()
        let b = try GroundTruth(configuration: configuration).jsonData()
        #expect(a == b)
    }

    @Test func interactionIdsAreUnique() throws {
        let configuration = TrafficConfiguration(seed: 5, interactions: 5_000)
        let truth = try GroundTruth(configuration: configuration)
        let firstSessions = truth.expectedSessions!.filter { $0.sessionSeq == 1 }
        #expect(firstSessions.count == 5_000)
        #expect(Set(firstSessions.map(\.interactionId)).count == 5_000)
    }

    @Test func invalidConfigurationsAreRejected() {
        var tooLongGaps = TrafficConfiguration(seed: 1, interactions: 10, inactivityTimeoutMs: 3_000)
        tooLongGaps.maxStepGapMs = 1_500
        #expect(throws: TrafficConfigurationError.self) { try TrafficGenerator(configuration: tooLongGaps) }

        var badRate = TrafficProfile()
        badRate.duplicateRate = 1.5
        #expect(throws: TrafficConfigurationError.self) {
            try TrafficGenerator(configuration: TrafficConfiguration(seed: 1, interactions: 10, profile: badRate))
        }

        var badScript = TrafficProfile()
        badScript.script = [ScriptedInteraction([ScriptedSession(.completed, closes: false), ScriptedSession(.completed)])]
        #expect(throws: TrafficConfigurationError.self) {
            try TrafficGenerator(configuration: TrafficConfiguration(seed: 1, interactions: 10, profile: badScript))
        }

        #expect(throws: TrafficConfigurationError.self) {
            try TrafficGenerator(configuration: TrafficConfiguration(seed: 1, interactions: -1))
        }
    }

    @Test func emptyTrafficIsEmpty() throws {
        let configuration = TrafficConfiguration(seed: 1, interactions: 0)
        #expect(Array(try TrafficGenerator(configuration: configuration)).isEmpty)
        let truth = try GroundTruth(configuration: configuration)
        #expect(truth.sessions == 0 && truth.records == 0 && truth.lastEventTimestampMs == nil)
    }
}
