import Kafka
import Testing

/// Produce through the mock cluster over TCP and consume back with a group.
@Suite struct RoundTripTests {
    struct Received: Sendable {
        var key: String
        var value: String
        var headers: [String: String]
        var topic: String
        var partition: Int32
        var offset: Int64
        var timestamp: Int64?
        var error: KafkaError?
    }

    @Test func tenThousandKeyedRecordsWithHeadersRoundTrip() async throws {
        let cluster = try MockCluster(brokers: 3, logger: testLogger("mock"))
        let topic = uniqueName("roundtrip")
        try cluster.createTopic(topic, partitions: 8)
        let total = 10_000
        let keys = 700

        // Produce, backing off on queue-full, and collect the delivery reports.
        let reports = Shared<[UInt64: DeliveryReport]>([:])
        let producerConfiguration = try producerConfiguration(cluster, ["queue.buffering.max.messages": "2000"])
        let outQueueAfterFlush = try await KafkaThread.run(name: "producer") {
            let producer = try KafkaProducer(
                configuration: producerConfiguration, logger: testLogger("producer")
            ) { report in
                reports.withLock { $0[report.opaque] = report }
            }
            for index in 0..<total {
                let key = "interaction-\(index % keys)"
                let value = "{\"seq\":\(index),\"payload\":\"\(String(repeating: "x", count: index % 50))\"}"
                let headers = [KafkaHeader(name: "seq", value: "\(index)"), KafkaHeader(name: "kind", value: "test")]
                while true {
                    do {
                        try producer.produce(
                            topic: topic, key: key, value: value, headers: headers, opaque: UInt64(index))
                        break
                    } catch let error as KafkaError where error.isQueueFull {
                        producer.poll(timeout: .milliseconds(10))
                    }
                }
                producer.poll()
            }
            try producer.flush(timeout: .seconds(30))
            return producer.outQueueLength
        }
        #expect(outQueueAfterFlush == 0)

        let delivered = reports.current
        #expect(delivered.count == total)
        #expect(delivered.values.allSatisfy { $0.error == nil && $0.topic == topic && $0.offset >= 0 })
        // The partitioner keeps each key on one partition.
        var partitionOfKey: [Int: Int32] = [:]
        for (opaque, report) in delivered {
            let key = Int(opaque) % keys
            if let known = partitionOfKey[key] {
                #expect(known == report.partition, "key \(key) went to two partitions")
            } else {
                partitionOfKey[key] = report.partition
            }
        }
        #expect(Set(partitionOfKey.values).count > 1, "keys should spread over partitions")

        // Consume everything back with a group.
        let received = Shared<[Received]>([])
        let assigned = Shared<Set<TopicPartition>>([])
        let configuration = try consumerConfiguration(cluster, group: uniqueName("roundtrip-group"))
        try await KafkaThread.run(name: "consumer") {
            let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger("consumer")) {
                _, event in
                if case .assigned(let partitions) = event {
                    assigned.withLock { $0.formUnion(partitions) }
                }
            }
            try consumer.subscribe(topics: [topic])
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            var count = 0
            while count < total, clock.now < deadline {
                consumer.poll(maxMessages: 500, timeout: .milliseconds(100)) { message in
                    var headers: [String: String] = [:]
                    for header in message.headers {
                        headers[header.name] = header.value?.string
                    }
                    received.withLock {
                        $0.append(
                            Received(
                                key: message.key?.string ?? "", value: message.value?.string ?? "",
                                headers: headers, topic: message.topic, partition: message.partition,
                                offset: message.offset, timestamp: message.timestamp, error: message.error))
                    }
                    if message.error == nil { count += 1 }
                }
            }
            try consumer.close()
        }

        #expect(assigned.current.count == 8)
        let records = received.current
        #expect(records.count == total)
        var lastSeqOfPartition: [Int32: Int] = [:]
        var lastOffsetOfPartition: [Int32: Int64] = [:]
        var seen = Set<Int>()
        #expect(records.allSatisfy { $0.error == nil && $0.topic == topic && $0.timestamp != nil })
        for record in records {
            guard let seq = record.headers["seq"].flatMap(Int.init) else {
                Issue.record("record without seq header")
                continue
            }
            #expect(seen.insert(seq).inserted, "duplicate seq \(seq)")
            #expect(record.key == "interaction-\(seq % keys)")
            #expect(record.value.hasPrefix("{\"seq\":\(seq),"))
            #expect(record.headers["kind"] == "test")
            #expect(record.headers.count == 2)
            // Same partition and offset as the delivery report said.
            #expect(delivered[UInt64(seq)]?.partition == record.partition)
            #expect(delivered[UInt64(seq)]?.offset == record.offset)
            // Per-partition order is produce order.
            if let last = lastSeqOfPartition[record.partition] {
                #expect(last < seq)
            }
            if let last = lastOffsetOfPartition[record.partition] {
                #expect(last + 1 == record.offset)
            }
            lastSeqOfPartition[record.partition] = seq
            lastOffsetOfPartition[record.partition] = record.offset
        }
    }
}
