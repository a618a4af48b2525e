import Kafka
import Testing

/// The fetch-stall workaround: the detector's decisions, and the guard against the mock cluster.
@Suite struct FetchStallGuardTests {
    @Test func wakesOnceForEachDrainOfAFullQueue() {
        var detector = FetchStallDetector(messageThreshold: 100)
        // A consumer that keeps up: the queue never reaches the threshold, nothing to wake.
        #expect([0, 5, 99, 40, 0].map { detector.observe(queueLength: $0) } == [false, false, false, false, false])
        // Full (librdkafka stopped fetching), still full, drained below: one wake-up, then quiet.
        #expect([100, 250, 180, 99, 50, 0].map { detector.observe(queueLength: $0) } == [false, false, false, true, false, false])
        // Every new fill-and-drain cycle earns exactly one more wake-up.
        #expect([100, 12, 100, 100, 3].map { detector.observe(queueLength: $0) } == [false, true, false, false, true])
        #expect(!detector.sawFullQueue)
    }

    @Test func theByteThresholdCountsWhenMessagesAreLarge() {
        // 100 messages or 100 KiB: with 2 KiB payloads the bytes run out first, at 50 messages
        // (40 with the 20 % margin).
        var detector = FetchStallDetector(messageThreshold: 100, byteThreshold: 100 * 1024)
        #expect(detector.threshold == 100, "no payload seen yet: the message threshold")
        detector.noteDrained(count: 10, bytes: 10 * 2048)
        #expect(detector.averageMessageBytes == 2048)
        #expect(detector.threshold == 40)
        #expect(detector.observe(queueLength: 45) == false)
        #expect(detector.observe(queueLength: 39) == true)
        // Small payloads: the message threshold is the lower one again.
        for _ in 0..<200 { detector.noteDrained(count: 100, bytes: 100 * 64) }
        #expect(detector.threshold == 100)
        // Nothing drained, or empty payloads: the average stays.
        let before = detector.averageMessageBytes
        detector.noteDrained(count: 0, bytes: 0)
        detector.noteDrained(count: 5, bytes: 0)
        #expect(detector.averageMessageBytes == before)
    }

    @Test func aThresholdBelowOneCountsAsOne() {
        var detector = FetchStallDetector(messageThreshold: 0)
        #expect(detector.threshold == 1)
        #expect(detector.observe(queueLength: 1) == false)
        #expect(detector.observe(queueLength: 0) == true)
    }

    /// A backlog far larger than the prefetch queue: the guard wakes the fetcher after each
    /// drain and every record still arrives exactly once, in order. A small backlog that never
    /// fills the queue, and a consumer with the guard disabled, send no wake-up.
    ///
    /// The backlog is produced as one batch: the mock returns one batch per partition and fetch,
    /// so the first fetch fills the 200-message queue far beyond its threshold, whatever the
    /// timing (with small batches the consumer may keep up and never see a full queue).
    @Test func wakesTheFetcherOnlyWhenTheQueueWasFull() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let big = uniqueName("stall-big")
        let small = uniqueName("stall-small")
        try cluster.createTopic(big, partitions: 1)
        try cluster.createTopic(small, partitions: 1)
        try await produceOneBatch(6_000, to: big, cluster: cluster)
        try await produceOneBatch(50, to: small, cluster: cluster)

        let backlog = try await consumeAll(cluster, topic: big, expected: 6_000, wakesFetcher: true)
        #expect(backlog.offsets == Array(0..<6_000))
        #expect(backlog.wakeups > 0, "a queue drained from full must wake the fetcher")

        let keepingUp = try await consumeAll(cluster, topic: small, expected: 50, wakesFetcher: true)
        #expect(keepingUp.offsets == Array(0..<50))
        #expect(keepingUp.wakeups == 0, "a queue that never filled needs no wake-up")

        // Disabled: the first 1,000 records of the backlog fill and drain the queue five times.
        let disabled = try await consumeAll(cluster, topic: big, expected: 1_000, wakesFetcher: false)
        #expect(disabled.offsets.prefix(1_000) == ArraySlice(0..<1_000))
        #expect(disabled.wakeups == 0)
    }

    /// Produces `count` records to partition 0 of `topic` in a single batch (sent by the flush).
    private func produceOneBatch(_ count: Int, to topic: String, cluster: MockCluster) async throws {
        try await CommitTests.produce(count, to: topic, cluster: cluster, ["linger.ms": "60000", "batch.num.messages": "100000"])
    }

    /// Reads `topic` to its `expected` end with a 200-message prefetch queue, 50 messages per poll.
    private func consumeAll(
        _ cluster: MockCluster, topic: String, expected: Int, wakesFetcher: Bool
    ) async throws -> (offsets: [Int64], wakeups: Int) {
        let configuration = try consumerConfiguration(
            cluster, group: uniqueName("stall-group"),
            ["queued.min.messages": "200", "fetch.wait.max.ms": "50", "max.partition.fetch.bytes": "4096"])
        return try await KafkaThread.run(name: "consumer") {
            let consumer = try KafkaConsumer(
                configuration: configuration, logger: testLogger("consumer"), wakesFetcher: wakesFetcher
            ) { _, _ in }
            try consumer.subscribe(topics: [topic])
            var offsets: [Int64] = []
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(120)
            while offsets.count < expected, clock.now < deadline {
                consumer.poll(maxMessages: 50, timeout: .milliseconds(100)) { message in
                    if message.error == nil { offsets.append(message.offset) }
                }
            }
            let wakeups = consumer.fetchWakeups
            try consumer.close()
            return (offsets, wakeups)
        }
    }
}
