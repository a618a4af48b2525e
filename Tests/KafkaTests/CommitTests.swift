import Kafka
import Testing

/// Manual commits with metadata, and resuming a group where it left off.
@Suite struct CommitTests {
    struct Session: Sendable {
        var offsets: [Int64] = []
        var commitResults: [CommitResult] = []
        var committedBefore: [TopicPartitionOffset] = []
        var positionAfterPoll: [TopicPartitionOffset] = []
    }

    /// Produces `count` records to `topic` (one partition) and waits for their delivery.
    static func produce(
        _ count: Int, to topic: String, cluster: MockCluster, _ properties: KeyValuePairs<String, String> = [:]
    ) async throws {
        let configuration = try producerConfiguration(cluster, properties)
        let failures = try await KafkaThread.run(name: "producer") {
            let failures = Shared(0)
            let producer = try KafkaProducer(configuration: configuration, logger: testLogger("producer")) { report in
                if report.error != nil { failures.withLock { $0 += 1 } }
            }
            for index in 0..<count {
                try producer.produce(topic: topic, partition: 0, key: "k\(index)", value: "v\(index)", opaque: UInt64(index))
            }
            try producer.flush(timeout: .seconds(20))
            return failures.current
        }
        #expect(failures == 0)
    }

    @Test func commitWithMetadataThenResumeAfterReopen() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("commit")
        try cluster.createTopic(topic, partitions: 1)
        try await Self.produce(100, to: topic, cluster: cluster)
        let partition = TopicPartition(topic: topic, partition: 0)
        let configuration = try consumerConfiguration(cluster, group: uniqueName("commit-group"))
        let metadata = "checkpoint: session-store v1 · ünïcødé"

        // First session: read 40 records, commit 30 asynchronously then 40 synchronously
        // with metadata, close.
        let first = try await KafkaThread.run(name: "first") {
            let session = Shared(Session())
            let consumer = try KafkaConsumer(
                configuration: configuration, logger: testLogger("first"),
                commitHandler: { result in session.withLock { $0.commitResults.append(result) } }
            ) { _, _ in }
            try consumer.subscribe(topics: [topic])
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while session.current.offsets.count < 40, clock.now < deadline {
                consumer.poll(maxMessages: 40 - session.current.offsets.count, timeout: .milliseconds(100)) { message in
                    session.withLock { $0.offsets.append(message.offset) }
                }
            }
            try consumer.commitAsync([TopicPartitionOffset(partition, offset: 30, metadata: "async")])
            while session.current.commitResults.isEmpty, clock.now < deadline {
                consumer.poll(maxMessages: 1, timeout: .milliseconds(50)) { _ in }
            }
            try consumer.commit([TopicPartitionOffset(partition, offset: 40, metadata: metadata)])
            try consumer.close()
            return session.current
        }
        #expect(first.offsets == Array(0..<40))
        #expect(first.commitResults.count == 1)
        #expect(first.commitResults.first?.succeeded == true)
        #expect(first.commitResults.first?.offsets == [TopicPartitionOffset(partition, offset: 30, metadata: "async")])

        // Second session, same group: the committed offset and metadata are there, and
        // consumption resumes at 40.
        let second = try await KafkaThread.run(name: "second") {
            var session = Session()
            let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger("second")) { _, _ in }
            session.committedBefore = try consumer.committed([partition], timeout: .seconds(10))
            try consumer.subscribe(topics: [topic])
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while session.offsets.isEmpty, clock.now < deadline {
                consumer.poll(maxMessages: 1, timeout: .milliseconds(100)) { message in
                    session.offsets.append(message.offset)
                }
            }
            session.positionAfterPoll = try consumer.position([partition])
            try consumer.close()
            return session
        }
        #expect(second.committedBefore == [TopicPartitionOffset(partition, offset: 40, metadata: metadata)])
        #expect(second.offsets == [40])
        #expect(second.positionAfterPoll.map(\.offset) == [41])
    }

    @Test func storedOffsetsAreCommittedByCommitStored() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("stored")
        try cluster.createTopic(topic, partitions: 1)
        try await Self.produce(10, to: topic, cluster: cluster)
        let partition = TopicPartition(topic: topic, partition: 0)
        let configuration = try consumerConfiguration(cluster, group: uniqueName("stored-group"))

        let committed = try await KafkaThread.run(name: "stored") {
            let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger("stored")) { _, _ in }
            // Storing for a partition that is not assigned is refused.
            let refused: KafkaError?
            do throws(KafkaError) {
                try consumer.store([TopicPartitionOffset(partition, offset: 1)])
                refused = nil
            } catch {
                refused = error
            }
            try consumer.subscribe(topics: [topic])
            var received = 0
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while received < 10, clock.now < deadline {
                consumer.poll(maxMessages: 10, timeout: .milliseconds(100)) { _ in received += 1 }
            }
            try consumer.store([TopicPartitionOffset(partition, offset: 7)])
            try consumer.commitStored()
            let committed = try consumer.committed([partition], timeout: .seconds(10))
            try consumer.close()
            return (refused, committed)
        }
        #expect(committed.0 != nil)
        #expect(committed.1.map(\.offset) == [7])
    }
}
