import Testing
@testable import CallbackStreamService

@Suite struct BackpressureTests {
    @Test func thresholdsAreHalfAndTwoFifthsOfTheProducerQueue() {
        let backpressure = Backpressure(producerQueueCapacity: 100_000)
        #expect(backpressure.pauseAt == 50_000)
        #expect(backpressure.resumeAt == 40_000)
        #expect(backpressure.admitsInput)
    }

    @Test func aShortHoldResumesWithoutPausing() {
        var backpressure = Backpressure(producerQueueCapacity: 1_000, holdLimitNanos: 5_000)
        #expect(backpressure.update(queued: 499, nowNanos: 0) == nil)
        #expect(backpressure.update(queued: 500, nowNanos: 10) == .hold)
        #expect(!backpressure.admitsInput)
        #expect(backpressure.update(queued: 450, nowNanos: 4_000) == nil)  // between the marks: still held
        #expect(backpressure.update(queued: 400, nowNanos: 4_500) == .resume(fromPause: false))
        #expect(backpressure.admitsInput)
    }

    @Test func aHoldLongerThanTheLimitBecomesAPauseUntilTheQueueDrains() {
        var backpressure = Backpressure(producerQueueCapacity: 1_000, holdLimitNanos: 5_000)
        #expect(backpressure.update(queued: 800, nowNanos: 100) == .hold)
        #expect(backpressure.update(queued: 800, nowNanos: 5_099) == nil)
        #expect(backpressure.update(queued: 800, nowNanos: 5_100) == .pause)
        #expect(backpressure.state == .paused)
        #expect(backpressure.update(queued: 401, nowNanos: 60_000) == nil)
        #expect(backpressure.update(queued: 0, nowNanos: 60_001) == .resume(fromPause: true))
        #expect(backpressure.state == .off)
    }

    @Test func aTinyQueueStillHasAPauseMark() {
        let backpressure = Backpressure(producerQueueCapacity: 1)
        #expect(backpressure.pauseAt == 1)
        #expect(backpressure.resumeAt == 0)
    }
}
