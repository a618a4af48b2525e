import Testing
@testable import CallbackStreamCore

@Suite struct WatermarkTests {
    private func at(_ ms: Int64) -> WallInstant { WallInstant(milliseconds: ms) }

    @Test func noWatermarkBeforeTheFirstEvent() {
        var watermark = PartitionWatermark(allowedLateness: 5_000, idleGracePeriod: 5_000)
        #expect(watermark.current == nil)
        watermark.noteArrival(at: at(0))
        #expect(watermark.advanceForIdleness(now: at(1_000_000)) == false)
        #expect(watermark.current == nil)
    }

    @Test func trailsTheMaximumEventTimeByTheLateness() {
        var watermark = PartitionWatermark(allowedLateness: 5_000, idleGracePeriod: 5_000)
        #expect(watermark.observe(eventTime: 100_000, arrivedAt: at(0)) == true)
        #expect(watermark.current == 95_000)
        // An older event does not lower it.
        #expect(watermark.observe(eventTime: 90_000, arrivedAt: at(1)) == false)
        #expect(watermark.current == 95_000)
        #expect(watermark.observe(eventTime: 100_001, arrivedAt: at(2)) == true)
        #expect(watermark.current == 95_001)
        #expect(watermark.maximumEventTime == 100_001)
    }

    @Test func idlePartitionFollowsTheWallClockAfterTheGracePeriod() {
        var watermark = PartitionWatermark(allowedLateness: 5_000, idleGracePeriod: 2_000)
        watermark.observe(eventTime: 100_000, arrivedAt: at(10_000))
        // Within the grace period (idle ≤ G): nothing moves.
        #expect(watermark.advanceForIdleness(now: at(12_000)) == false)
        #expect(watermark.current == 95_000)
        // idle = 2001 ms → one millisecond past the grace period.
        #expect(watermark.advanceForIdleness(now: at(12_001)) == true)
        #expect(watermark.current == 95_001)
        // idle = 62 s → max − L + (idle − G) = 95 000 + 60 000.
        #expect(watermark.advanceForIdleness(now: at(72_000)) == true)
        #expect(watermark.current == 155_000)
        // A tick with an older instant never lowers it.
        #expect(watermark.advanceForIdleness(now: at(20_000)) == false)
        #expect(watermark.current == 155_000)
    }

    @Test func anArrivalRestartsTheIdleTimer() {
        var watermark = PartitionWatermark(allowedLateness: 0, idleGracePeriod: 1_000)
        watermark.observe(eventTime: 50_000, arrivedAt: at(0))
        watermark.noteArrival(at: at(10_000))  // e.g. a dead-lettered record
        #expect(watermark.advanceForIdleness(now: at(10_500)) == false)
        #expect(watermark.advanceForIdleness(now: at(12_000)) == true)
        #expect(watermark.current == 51_000)
        // A late event re-arms the idle timer without moving the maximum event time.
        watermark.observe(eventTime: 1, arrivedAt: at(20_000))
        #expect(watermark.advanceForIdleness(now: at(20_900)) == false)
        #expect(watermark.current == 51_000)
    }

    @Test func extremeTimestampsSaturateInsteadOfTrapping() {
        var watermark = PartitionWatermark(allowedLateness: 5_000, idleGracePeriod: 0)
        watermark.observe(eventTime: .min, arrivedAt: at(.min))
        #expect(watermark.current == Int64.min)
        watermark.observe(eventTime: .max, arrivedAt: at(0))
        let nearlyMax: Int64 = .max - 5_000
        #expect(watermark.current == nearlyMax)
        watermark.advanceForIdleness(now: at(.max))
        #expect(watermark.current == Int64.max)
    }

    @Test func durationsConvertToMilliseconds() {
        #expect(EventTimeArithmetic.milliseconds(of: .seconds(30 * 60)) == 1_800_000)
        #expect(EventTimeArithmetic.milliseconds(of: .milliseconds(1_500)) == 1_500)
        #expect(EventTimeArithmetic.milliseconds(of: .microseconds(2_999)) == 2)
        #expect(EventTimeArithmetic.milliseconds(of: .seconds(Int64.max)) == .max)
    }

    @Test func manualClockOnlyMovesForward() {
        var clock = ManualWallClock(start: at(100))
        clock.advance(by: .seconds(2))
        #expect(clock.now() == at(2_100))
        clock.advance(by: .seconds(-5))
        clock.advance(to: at(50))
        #expect(clock.now() == at(2_100))
    }
}
