import Kafka
import Testing

/// Produce request errors injected into the mock cluster surface in delivery reports.
@Suite struct ProduceErrorTests {
    /// Produces one message with `properties` after pushing `errors` for the next Produce
    /// requests, and returns its delivery report.
    static func deliver(
        after errors: [KafkaError.Code], cluster: MockCluster, topic: String,
        _ properties: KeyValuePairs<String, String> = [:]
    ) async throws -> DeliveryReport? {
        let configuration = try producerConfiguration(cluster, properties)
        cluster.pushRequestErrors(errors, for: .produce)
        return try await KafkaThread.run(name: "producer") {
            let reports = Shared<[DeliveryReport]>([])
            let producer = try KafkaProducer(configuration: configuration, logger: testLogger("producer")) { report in
                reports.withLock { $0.append(report) }
            }
            try producer.produce(topic: topic, partition: 0, key: "key", value: "value", opaque: 42)
            // flush throws _TIMED_OUT if the report does not arrive in time.
            try producer.flush(timeout: .seconds(20))
            return reports.current.first
        }
    }

    @Test func retriableErrorIsRetriedAndDelivered() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("retriable")
        try cluster.createTopic(topic, partitions: 1)

        // Without retries the injected error is final: this proves the injection reaches
        // the producer…
        let unretried = try await Self.deliver(
            after: [.notEnoughReplicas], cluster: cluster, topic: topic,
            ["enable.idempotence": "false", "retries": "0"])
        #expect(unretried?.error?.code == .notEnoughReplicas)
        #expect(unretried?.error?.name == "NOT_ENOUGH_REPLICAS")
        #expect(unretried?.error?.isRetriable == true)
        #expect(unretried?.opaque == 42)

        // …and with the default (idempotent, retrying) producer the same errors are retried
        // by librdkafka and the message is delivered.
        let retried = try await Self.deliver(
            after: [.notEnoughReplicas, .notEnoughReplicas, .requestTimedOut], cluster: cluster, topic: topic)
        #expect(retried?.error == nil)
        #expect(retried?.offset == 0)
        #expect(retried?.partition == 0)
        #expect(retried?.topic == topic)
        #expect(retried?.opaque == 42)
    }

    @Test func nonRetriableErrorFailsTheDelivery() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("permanent")
        try cluster.createTopic(topic, partitions: 1)

        let report = try await Self.deliver(after: [.topicAuthorizationFailed], cluster: cluster, topic: topic)
        #expect(report?.error?.code == .topicAuthorizationFailed)
        #expect(report?.error?.name == "TOPIC_AUTHORIZATION_FAILED")
        #expect(report?.error?.isRetriable == false)
        #expect(report?.offset == -1)
        #expect(report?.opaque == 42)

        // The cluster is fine afterwards: the next message goes through.
        let next = try await Self.deliver(after: [], cluster: cluster, topic: topic)
        #expect(next?.error == nil)
    }

    /// After a topic authorization failure librdkafka marks the topic as failed, and its
    /// partitioner refuses the next messages. A refused message with headers must throw, not
    /// crash: librdkafka before 2.12 freed per-header lists twice on that path (#4628).
    @Test func aRefusedMessageWithHeadersThrowsInsteadOfCrashing() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("refused")
        try cluster.createTopic(topic, partitions: 3)
        let configuration = try producerConfiguration(cluster)
        cluster.pushRequestErrors([.topicAuthorizationFailed], for: .produce)
        let headers = [KafkaHeader(name: "summaryId", value: "abc"), KafkaHeader(name: "empty", value: [UInt8]()),
                       KafkaHeader(name: "null", value: nil)]
        let outcome = try await KafkaThread.run(name: "producer") {
            let reports = Shared<[DeliveryReport]>([])
            let producer = try KafkaProducer(configuration: configuration, logger: testLogger("producer")) { report in
                reports.withLock { $0.append(report) }
            }
            // Key-partitioned (no explicit partition), with headers: the processor's summaries.
            try producer.produce(topic: topic, key: "k", value: "first", headers: headers, opaque: 1)
            try producer.flush(timeout: .seconds(20))
            var refused: [KafkaError] = []
            for index in 0..<20 {
                do {
                    try producer.produce(topic: topic, key: "k\(index)", value: "next", headers: headers, opaque: 2)
                } catch let error as KafkaError {
                    refused.append(error)
                }
            }
            try? producer.flush(timeout: .seconds(20))
            return (reports.current, refused)
        }
        #expect(outcome.0.first?.error?.code == KafkaError.Code.topicAuthorizationFailed)
        #expect(!outcome.1.isEmpty, "the failed topic refuses messages at produce()")
        #expect(outcome.1.allSatisfy { $0.code == KafkaError.Code.topicAuthorizationFailed })
    }

    @Test func queueFullIsADistinctErrorAndClearsAfterDelivery() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("queue-full")
        try cluster.createTopic(topic, partitions: 1)
        let configuration = try producerConfiguration(cluster, ["queue.buffering.max.messages": "5", "linger.ms": "1000"])
        let outcome = try await KafkaThread.run(name: "producer") {
            let delivered = Shared(0)
            let producer = try KafkaProducer(configuration: configuration, logger: testLogger("producer")) { report in
                if report.error == nil { delivered.withLock { $0 += 1 } }
            }
            var accepted = 0
            var full: KafkaError?
            for index in 0..<6 {
                do throws(KafkaError) {
                    try producer.produce(topic: topic, key: nil as String?, value: "v\(index)", opaque: UInt64(index))
                    accepted += 1
                } catch {
                    full = error
                }
            }
            let queued = producer.outQueueLength
            try producer.flush(timeout: .seconds(20))
            // After the reports were served there is room again.
            try producer.produce(topic: topic, key: nil as String?, value: "again", opaque: 99)
            try producer.flush(timeout: .seconds(20))
            return (accepted, full, queued, delivered.current)
        }
        #expect(outcome.0 == 5)
        #expect(outcome.1?.isQueueFull == true)
        #expect(outcome.1?.name == "_QUEUE_FULL")
        #expect(outcome.2 == 5)
        #expect(outcome.3 == 6)
    }
}
