import Kafka
import Testing

/// Fault injection of the mock cluster, observed by a real producer.
@Suite struct MockClusterTests {
    @Test func brokerDownHoldsDeliveriesUntilItIsUpAgain() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger("mock"))
        #expect(cluster.bootstrapServers.hasPrefix("127.0.0.1:") || cluster.bootstrapServers.hasPrefix("localhost:"))
        let topic = uniqueName("down")
        try cluster.createTopic(topic, partitions: 1)
        let configuration = try producerConfiguration(cluster)
        let outcome = try await KafkaThread.run(name: "producer") {
            let reports = Shared<[DeliveryReport]>([])
            let producer = try KafkaProducer(configuration: configuration, logger: testLogger("producer")) { report in
                reports.withLock { $0.append(report) }
            }
            // Connected and delivering first.
            try producer.produce(topic: topic, key: "a", value: "before", opaque: 1)
            try producer.flush(timeout: .seconds(20))

            try cluster.setBrokerDown(1)
            try producer.produce(topic: topic, key: "a", value: "while down", opaque: 2)
            let clock = ContinuousClock()
            let watchUntil = clock.now + .milliseconds(700)
            while clock.now < watchUntil {
                producer.poll(timeout: .milliseconds(50))
            }
            let reportsWhileDown = reports.current.count
            try cluster.setBrokerUp(1)
            try producer.flush(timeout: .seconds(30))
            return (reportsWhileDown, reports.current)
        }
        #expect(outcome.0 == 1)
        #expect(outcome.1.map(\.opaque) == [1, 2])
        #expect(outcome.1.allSatisfy { $0.error == nil })
        #expect(outcome.1.map(\.offset) == [0, 1])
    }

    @Test func roundTripTimeDelaysDeliveries() async throws {
        let cluster = try MockCluster(brokers: 1, logger: testLogger("mock"))
        let topic = uniqueName("rtt")
        try cluster.createTopic(topic, partitions: 1)
        let configuration = try producerConfiguration(cluster, ["linger.ms": "0"])
        let elapsed = try await KafkaThread.run(name: "producer") {
            let producer = try KafkaProducer(configuration: configuration, logger: testLogger("producer")) { _ in }
            try producer.produce(topic: topic, key: "a", value: "warm-up", opaque: 1)
            try producer.flush(timeout: .seconds(20))
            try cluster.setRoundTripTime(.milliseconds(400), broker: 1)
            let clock = ContinuousClock()
            let start = clock.now
            try producer.produce(topic: topic, key: "a", value: "slow", opaque: 2)
            try producer.flush(timeout: .seconds(20))
            return clock.now - start
        }
        #expect(elapsed >= .milliseconds(400))
    }

    @Test func invalidArgumentsAreRejected() throws {
        #expect(throws: KafkaError.self) { try MockCluster(brokers: 0) }
        let cluster = try MockCluster(brokers: 2, logger: testLogger("mock"))
        #expect(throws: KafkaError.self) { try cluster.setBrokerDown(3) }
        #expect(throws: KafkaError.self) { try cluster.createTopic("bad", partitions: 0) }
        #expect(KafkaAPIKey(name: "produce") == .produce)
        #expect(KafkaAPIKey(name: "OffsetCommit")?.rawValue == 8)
        #expect(KafkaAPIKey(name: "Nope") == nil)
    }
}
