import Testing
@testable import CallbackTraffic

@Suite struct TimeFormattingTests {
    @Test func iso8601() {
        #expect(TimeFormatting.iso8601(0) == "1970-01-01T00:00:00.000Z")
        #expect(TimeFormatting.iso8601(TrafficConfiguration.defaultStartTimeMs) == "2026-01-01T00:00:00.000Z")
        #expect(TimeFormatting.iso8601(951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(TimeFormatting.iso8601(1_767_225_599_999) == "2025-12-31T23:59:59.999Z")
        #expect(TimeFormatting.iso8601(-1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func durations() {
        #expect(TimeFormatting.duration(250) == "250 ms")
        #expect(TimeFormatting.duration(3_000) == "3 s")
        #expect(TimeFormatting.duration(90_000) == "1.5 min")
        #expect(TimeFormatting.duration(1_800_000) == "30 min")
        #expect(TimeFormatting.duration(7_200_000) == "2 h")
    }
}
