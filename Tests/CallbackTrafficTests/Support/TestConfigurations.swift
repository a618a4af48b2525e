@testable import CallbackTraffic

/// Configurations shared by the tests.
enum TestConfigurations {
    /// Short timeouts (3 s, lateness 1 s) as end-to-end tests use, with the default realistic mix.
    static func shortTimeout(seed: UInt64, interactions: Int, profile: TrafficProfile = TrafficProfile()) -> TrafficConfiguration {
        TrafficConfiguration(
            seed: seed, interactions: interactions, inactivityTimeoutMs: 3_000, allowedLatenessMs: 1_000, profile: profile
        )
    }

    /// A profile with many defects so that every rule is exercised in small runs.
    static var noisy: TrafficProfile {
        var profile = TrafficProfile()
        profile.duplicateRate = 0.15
        profile.outOfOrderRate = 0.25
        profile.reopenRate = 0.25
        profile.neverClosedRate = 0.2
        profile.unknownFieldRate = 0.2
        profile.prefixedEventNameRate = 0.3
        profile.eventIdRate = 0.7
        profile.spacedRate = 0.2
        return profile
    }

    /// Every record of `configuration`, decoded (fails the test on a contract violation).
    static func records(_ configuration: TrafficConfiguration) throws -> [(GeneratedRecord, ParsedEvent)] {
        try TrafficGenerator(configuration: configuration).map { ($0, try ParsedEvent($0)) }
    }
}
