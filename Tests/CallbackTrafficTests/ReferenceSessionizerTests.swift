import Testing
@testable import CallbackTraffic

/// Runs the records through a simple model of the processor under several partitionings and checks
/// that it finds exactly the truth's sessions: the truth must not depend on how keys are partitioned.
@Suite struct ReferenceSessionizerTests {
    static let cases: [(TrafficConfiguration, Int)] = [
        (TestConfigurations.shortTimeout(seed: 31, interactions: 1_200, profile: TestConfigurations.noisy), 1),
        (TestConfigurations.shortTimeout(seed: 31, interactions: 1_200, profile: TestConfigurations.noisy), 7),
        (TrafficConfiguration(seed: 32, interactions: 1_200, profile: TestConfigurations.noisy), 1),
        (TrafficConfiguration(seed: 32, interactions: 1_200, profile: TestConfigurations.noisy), 16),
        (TrafficConfiguration(
            seed: 33, interactions: 300, spanMs: 7_200_000, inactivityTimeoutMs: 3_000, allowedLatenessMs: 1_000,
            profile: TestConfigurations.noisy
        ), 3),
    ]

    @Test(arguments: cases)
    func modelFindsExactlyTheTruth(_ configuration: TrafficConfiguration, partitions: Int) throws {
        var model = ReferenceSessionizer(
            partitions: partitions, inactivityTimeoutMs: configuration.inactivityTimeoutMs,
            allowedLatenessMs: configuration.allowedLatenessMs
        )
        for (record, event) in try TestConfigurations.records(configuration) {
            model.consume(record, event)
        }
        model.finishAll()
        let truth = try GroundTruth(configuration: configuration)
        #expect(model.lateEvents == 0)
        #expect(model.duplicatesDropped == truth.duplicatesInjected)

        let found = Dictionary(uniqueKeysWithValues: model.finished.map { ($0.summary.summaryId, $0.summary) })
        let expected = Dictionary(uniqueKeysWithValues: truth.expectedSessions!.map { ($0.summaryId, ReferenceSummary($0)) })
        #expect(found.count == expected.count)
        #expect(Set(found.keys) == Set(expected.keys))
        var mismatches = 0
        for (id, summary) in expected where found[id] != summary {
            mismatches += 1
            if mismatches <= 3 { Issue.record("\(id): expected \(summary), model found \(String(describing: found[id]))") }
        }
        #expect(mismatches == 0)
        // The run exercised the interesting cases.
        #expect(truth.reopenedSessions > 0 && truth.count(of: .inactivityTimeout) > 0 && truth.sessionOutOfOrderEvents > 0)
    }
}
