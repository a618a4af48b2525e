import Kafka
import Testing

/// The dedicated-thread primitive.
@Suite struct KafkaThreadTests {
    struct Boom: Error {}

    @Test func runsJobsInOrderOffTheCallerThreadAndReturnsResults() async throws {
        let thread = KafkaThread(name: "kafka-thread-test")
        let order = Shared<[Int]>([])
        let names = Shared<Set<String>>([])
        for index in 0..<5 {
            thread.execute {
                order.withLock { $0.append(index) }
                names.withLock { _ = $0.insert(KafkaThread.currentThreadName) }
            }
        }
        let value = try await thread.run { 6 * 7 }
        #expect(value == 42)
        #expect(order.current == [0, 1, 2, 3, 4])
        #expect(names.current == ["kafka-thread-te"])  // Linux keeps 15 bytes
        await #expect(throws: Boom.self) {
            try await thread.run { () throws -> Int in throw Boom() }
        }
        thread.shutdown()
        await #expect(throws: KafkaThread.ShutDown.self) {
            try await thread.run { 1 }
        }
        #expect(thread.execute {} == false)
    }

    @Test func oneShotThreadRunsTheBody() async throws {
        let name = try await KafkaThread.run(name: "one-shot") { KafkaThread.currentThreadName }
        #expect(name == "one-shot")
    }
}
