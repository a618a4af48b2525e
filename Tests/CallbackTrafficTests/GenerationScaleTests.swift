import Testing
@testable import CallbackTraffic

@Suite struct GenerationScaleTests {
    /// 200,000 events stream through without holding them (no timing assertion: machines differ).
    @Test func twoHundredThousandEvents() throws {
        let configuration = TrafficConfiguration(seed: 2_000, interactions: 45_000)
        var records = 0
        var bytes = 0
        var maxSeen = Int64.min
        for record in try TrafficGenerator(configuration: configuration) {
            records += 1
            bytes += record.value.count
            if maxSeen > record.timestampMs { #expect(maxSeen - record.timestampMs < configuration.allowedLatenessMs) }
            maxSeen = max(maxSeen, record.timestampMs)
        }
        let truth = try GroundTruth(configuration: configuration, includeSessions: false)
        #expect(records == truth.records)
        #expect(records >= 200_000)
        #expect(bytes > records * 300)
    }
}
