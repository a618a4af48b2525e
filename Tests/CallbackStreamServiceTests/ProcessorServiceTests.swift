import Kafka
import Logging
import Testing
@testable import CallbackStreamService

/// The processor in-process against an in-process mock cluster.
@Suite struct ProcessorServiceTests {
    @Test(arguments: [1, 2])
    func aMissingInputTopicIsAClearErrorNamingIt(streamThreads: Int) async throws {
        let cluster = try MockCluster(brokers: 1)
        // The mock auto-creates topics on metadata requests; make this one answer like a real
        // cluster without auto-creation: unknown topic.
        cluster.setTopicError(.unknownTopicOrPartition, topic: "no.such.topic")
        var configuration = ProcessorConfiguration()
        configuration.bootstrapServers = cluster.bootstrapServers
        configuration.inputTopic = "no.such.topic"
        configuration.metricsAddress = "127.0.0.1"
        configuration.metricsPort = 0
        configuration.streamThreads = streamThreads
        let service = try ProcessorService(configuration: configuration, logger: Logger(label: "test"))
        let running = Task {
            try await ProcessLifecycle.run(service.services, handleSignals: false, shutdownBound: nil, logger: Logger(label: "test"))
        }
        // Bound the wait: a processor that waits silently is the failure this test looks for.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            service.stop()
        }
        let result = await running.result
        watchdog.cancel()
        guard case let .failure(error) = result else {
            Issue.record("the processor must stop with an error, not wait silently")
            return
        }
        let reason = try #require((error as? ProcessorFailure)?.reason, "\(error)")
        #expect(reason.contains("no.such.topic"))
        #expect(reason.contains("does not exist"))
    }
}
