import TestSupport
import Kafka
import Testing

/// Pause/resume, watermarks, lag, statistics, end-of-partition and wake-up.
@Suite struct ConsumerPartitionTests {
    struct Observed: Sendable {
        var offsets: [Int64] = []
        var offsetsWhilePaused: [Int64] = []
        var offsetsAfterResume: [Int64] = []
        var queried: WatermarkOffsets?
        var cached: WatermarkOffsets?
        var lagAfterTwenty: Int64?
        var lagsAtEnd: [TopicPartition: Int64] = [:]
        var statisticsLag: [TopicPartition: Int64] = [:]
        var statisticsCount = 0
        var eofSeen = false
    }

    @Test func pauseResumeWatermarksLagAndStatistics() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("partitions")
        try cluster.createTopic(topic, partitions: 1)
        try await CommitTests.produce(50, to: topic, cluster: cluster)
        let partition = TopicPartition(topic: topic, partition: 0)
        let configuration = try consumerConfiguration(
            cluster, group: uniqueName("partitions-group"),
            ["statistics.interval.ms": "100", "enable.partition.eof": "true"])

        let observed = try await KafkaThread.run(name: "consumer") {
            let state = Shared(Observed())
            let consumer = try KafkaConsumer(
                configuration: configuration, logger: testLogger("consumer"),
                statisticsHandler: { statistics in
                    let lag = (try? statistics.consumerLag()) ?? [:]
                    state.withLock {
                        $0.statisticsCount += 1
                        if let value = lag[partition] { $0.statisticsLag[partition] = value }
                    }
                }
            ) { _, _ in }
            try consumer.subscribe(topics: [topic])
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)

            // Read 20, then pause: nothing more arrives while paused.
            while state.current.offsets.count < 20, clock.now < deadline {
                consumer.poll(maxMessages: 20 - state.current.offsets.count, timeout: .milliseconds(100)) { message in
                    if message.error == nil { state.withLock { $0.offsets.append(message.offset) } }
                }
            }
            let lagAfterTwenty = consumer.lag(partition)
            try consumer.pause([partition])
            let pausedUntil = clock.now + .milliseconds(500)
            while clock.now < pausedUntil {
                consumer.poll(maxMessages: 100, timeout: .milliseconds(50)) { message in
                    if message.error == nil { state.withLock { $0.offsetsWhilePaused.append(message.offset) } }
                }
            }

            // Resume: the rest arrives, from where it stopped, then end-of-partition.
            try consumer.resume([partition])
            while !state.current.eofSeen, clock.now < deadline {
                consumer.poll(maxMessages: 100, timeout: .milliseconds(100)) { message in
                    if message.isPartitionEOF {
                        state.withLock { $0.eofSeen = true }
                    } else if message.error == nil {
                        state.withLock { $0.offsetsAfterResume.append(message.offset) }
                    }
                }
            }
            let queried = try consumer.queryWatermarkOffsets(partition, timeout: .seconds(10))
            let cached = consumer.cachedWatermarkOffsets(partition)
            let lags = consumer.lags()
            try consumer.commit([TopicPartitionOffset(partition, offset: 50)])
            // Statistics report the committed lag (0) within a few intervals.
            while state.current.statisticsLag[partition] != 0, clock.now < deadline {
                consumer.poll(maxMessages: 1, timeout: .milliseconds(50)) { _ in }
            }
            try consumer.close()
            return state.withLock { observed in
                observed.queried = queried
                observed.cached = cached
                observed.lagAfterTwenty = lagAfterTwenty
                observed.lagsAtEnd = lags
                return observed
            }
        }

        #expect(observed.offsets == Array(0..<20))
        #expect(observed.offsetsWhilePaused.isEmpty)
        #expect(observed.offsetsAfterResume == Array(20..<50))
        #expect(observed.eofSeen)
        #expect(observed.lagAfterTwenty == 30)
        #expect(observed.queried == WatermarkOffsets(low: 0, high: 50))
        #expect(observed.cached?.high == 50)
        #expect(observed.lagsAtEnd == [partition: 0])
        #expect(observed.statisticsCount > 0)
        #expect(observed.statisticsLag[partition] == 0)
    }

    @Test func wakeupEndsABlockedPoll() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let configuration = try consumerConfiguration(cluster, group: uniqueName("wakeup-group"))
        let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger("consumer")) { _, _ in }
        let thread = KafkaThread(name: "poller")
        let clock = ContinuousClock()
        let polling = Shared<ContinuousClock.Instant?>(nil)
        async let polled: Duration = thread.run {
            let started = clock.now
            polling.withLock { $0 = started }
            consumer.poll(maxMessages: 10, timeout: .seconds(60)) { _ in }
            return clock.now - started
        }
        // The poll is (almost always) waiting by the time this is seen; a wake-up that
        // lands just before the wait must end the poll too.
        try await eventually("the poll to start") { polling.current != nil }
        consumer.wakeup()
        let elapsed = try await polled
        #expect(elapsed < .seconds(30))
        try await thread.run { try consumer.close() }
    }
}

/// Releasing a consumer without closing it.
@Suite struct ConsumerLifetimeTests {
    @Test func releasingWithoutCloseLeavesTheGroupWithoutCallingHandlers() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("lifetime")
        try cluster.createTopic(topic, partitions: 2)
        let group = uniqueName("lifetime-group")
        let configuration = try consumerConfiguration(cluster, group: group)
        let events = Shared<[RebalanceEvent]>([])
        try await KafkaThread.run(name: "consumer") {
            let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger("consumer")) { _, event in
                events.withLock { $0.append(event) }
            }
            try consumer.subscribe(topics: [topic])
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while events.current.isEmpty, clock.now < deadline {
                consumer.poll(maxMessages: 10, timeout: .milliseconds(50)) { _ in }
            }
            // Released here: deinit closes (leaving the group) without calling the handler.
        }
        let all = (0..<2).map { TopicPartition(topic: topic, partition: Int32($0)) }
        #expect(events.current == [.assigned(all)])
    }
}
