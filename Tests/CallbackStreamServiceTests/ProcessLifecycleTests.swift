import Logging
import ServiceLifecycle
import Testing
@testable import CallbackStreamService

/// The bound on graceful shutdown that replaced the `exit(2)` watchdog.
@Suite struct ProcessLifecycleTests {
    /// Ignores graceful shutdown like a poll loop stuck in a flush; on cancellation gives up
    /// waiting, as ``ProcessorService`` does.
    struct StuckService: Service {
        let started = OneShot<Void>()

        func run() async throws {
            started.resolve(.success(()))
            do {
                try await OneShot<Void>().value
            } catch is CancellationError {
                throw ShutdownBoundExceeded(work: "the stuck flush", bound: .milliseconds(300))
            }
        }
    }

    @Test func aShutdownThatOutlastsItsBoundEndsWithShutdownBoundExceeded() async throws {
        let stuck = StuckService()
        let group = ProcessLifecycle.makeGroup(
            [.init(service: stuck)], handleSignals: false, shutdownBound: .milliseconds(300), logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        try await stuck.started.value
        let clock = ContinuousClock()
        let shutdownStarted = clock.now
        await group.triggerGracefulShutdown()
        let result = await running.result
        let took = clock.now - shutdownStarted
        guard case let .failure(error) = result else {
            Issue.record("a stuck service must not end the group cleanly")
            return
        }
        let exceeded = try #require(error as? ShutdownBoundExceeded, "\(error)")
        #expect(exceeded.description.contains("the stuck flush did not finish within the shutdown bound"))
        #expect(took >= .milliseconds(300) && took < ProcessLifecycle.cancellationBound, "took \(took)")
    }

    @Test func aServiceThatStopsInTimeEndsTheGroupCleanly() async throws {
        let group = ProcessLifecycle.makeGroup(
            [.init(service: ClosureService { try? await gracefulShutdown() })], handleSignals: false,
            shutdownBound: .seconds(5), logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
