import CallbackStreamService
import Logging
import Synchronization
import Testing
import TestSupport
@testable import callback_stream

/// The processor's periodic heap trim (measured effect: BENCHMARKS.md, "the shipped build"):
/// that it trims again and again while running and that a graceful shutdown ends it at once.
/// Whether glibc releases memory is glibc's part.
@Suite struct HeapTrimServiceTests {
    final class Counter: Sendable {
        let trims = Atomic<Int>(0)
    }

    @Test func itTrimsRepeatedlyUntilTheGroupShutsDownGracefully() async throws {
        let counter = Counter()
        let service = HeapTrimService(interval: .milliseconds(1), trim: { counter.trims.add(1, ordering: .relaxed) })
        let group = ProcessLifecycle.makeGroup(
            [.init(service: service)], handleSignals: false, shutdownBound: .seconds(5), logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        try await eventually("three trims") { counter.trims.load(ordering: .relaxed) >= 3 }
        let clock = ContinuousClock()
        let shutdownStarted = clock.now
        await group.triggerGracefulShutdown()
        try await running.value
        // One that ignored the graceful shutdown would run on until the bound (5 s) cancelled it.
        #expect(clock.now - shutdownStarted < .seconds(1))
    }
}
