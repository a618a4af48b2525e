import CallbackStreamCore
import Foundation
import Kafka
import Logging
import Synchronization

/// One stream thread (Kafka Streams' `StreamThread`): a consumer-group member with its own
/// librdkafka consumer and producer, running one readable loop — ``runOnce()``: take a batch →
/// run each record through its ``StreamTask`` → serve delivery reports → tick idle partitions →
/// enforce the session cap → maybe commit → publish metrics.
///
/// Everything else is delegated: tasks are created and closed by the ``TaskManager``, outputs
/// sent and settled by the ``RecordCollector``, input held by the ``Backpressure`` state
/// machine, and which offset may be committed is decided by each ``StreamTask``. It runs on one
/// dedicated thread (never on Swift's cooperative pool) and owns all this state without locks.
final class StreamThread: @unchecked Sendable {
    // @unchecked Sendable: every stored property except the Mutexes `stopRequested` and
    // `wakeupTarget` is touched only by the thread that calls `run()`; other threads may only
    // call `requestStop()`.

    private let configuration: ProcessorConfiguration
    private let logger: Logger
    private let board: MetricsBoard
    /// This thread's slot on the board.
    private let slot: Int
    private let queries: SessionQueries
    private let clock: any ProcessorClock
    private let stopRequested = Mutex(false)
    /// Which step of its stop this thread is in (read by the service when the bound passes).
    let progress: ShutdownProgress
    /// The consumer as seen from other threads (only to interrupt a waiting poll).
    private let wakeupTarget = Mutex<KafkaConsumer?>(nil)

    private var consumer: KafkaConsumer!
    private var producer: KafkaProducer!
    // Per-record state: no dynamic exclusivity check (see ``PartitionTopology``'s engine). Only
    // the owning thread touches it, and nothing it calls re-enters a mutation of it.
    @exclusivity(unchecked) private var collector: RecordCollector<KafkaProducer>!
    @exclusivity(unchecked) private var manager: TaskManager
    private var backpressure: Backpressure
    @exclusivity(unchecked) private var metrics = MetricsSnapshot()
    /// Monotonic ms when the current poll batch began to be processed (read once per batch).
    private var batchArrivalMs: Int64?
    private var ownFailure: String?
    private var lastCommitNanos: UInt64 = 0
    private var lastPublishNanos: UInt64 = 0
    private var commitRequestedAt: [UInt64] = []
    /// Monotonic ms when one of this thread's partitions first had a watermark.
    private var eventTimeSinceMs: Int64?
    /// Monotonic ms of the last ``tickIdlePartitions()``.
    private var lastIdleTickMs: Int64?
    /// How often idle partitions are ticked: often enough for timeouts and idle advancement
    /// (which work in seconds), rarely enough that a turn of a busy loop does not ask librdkafka
    /// for every partition's lag (two lookups under its locks per partition).
    static let idleTickIntervalMs: Int64 = 10

    init(
        configuration: ProcessorConfiguration, logger: Logger, board: MetricsBoard, slot: Int = 0, queries: SessionQueries,
        clock: any ProcessorClock = SystemProcessorClock()
    ) {
        self.configuration = configuration
        self.logger = logger
        self.board = board
        self.slot = slot
        self.queries = queries
        self.clock = clock
        progress = ShutdownProgress(name: (configuration.streamThreads ?? 1) > 1 ? "stream thread \(slot)" : "the poll loop")
        manager = TaskManager(configuration: configuration.topology)
        let producerQueueCapacity = configuration.librdkafka["queue.buffering.max.messages"].flatMap(Int.init) ?? 100_000
        backpressure = Backpressure(producerQueueCapacity: producerQueueCapacity)
        metrics.alertThreshold = configuration.alertThreshold
    }

    /// Asks the thread to stop after its current turn (any thread).
    func requestStop() {
        stopRequested.withLock { $0 = true }
        wakeupTarget.withLock { $0?.wakeup() }
    }

    private var shouldStop: Bool { stopRequested.withLock { $0 } }
    private var failure: String? { ownFailure ?? collector?.failure }

    // MARK: - Running

    /// Runs until ``requestStop()`` or a fatal error; then flushes, commits and leaves the group.
    /// - Returns: `nil` on a clean stop, else the reason the processor failed.
    func run() -> String? {
        do {
            try start()
        } catch {
            progress.finish()
            return "cannot start: \(error)"
        }
        logger.info("processor started", metadata: [
            "kafka.bootstrap": "\(configuration.bootstrapServers)", "kafka.group": "\(configuration.groupID)",
            "topic.input": "\(configuration.inputTopic)",
        ])
        while !shouldStop, failure == nil {
            runOnce()
        }
        shutDown()
        return failure
    }

    private func start() throws {
        let (consumerConfiguration, producerConfiguration) = try KafkaClientConfigurations.make(
            configuration, member: (configuration.streamThreads ?? 1) > 1 ? "\(slot)" : nil)
        producer = try KafkaProducer(configuration: producerConfiguration, logger: logger) { [unowned self] report in
            self.delivered(report)
        }
        let partialsPartitions = try producer.partitionCount(of: configuration.statsPartialsTopic, timeout: .seconds(30))
        collector = RecordCollector(
            producer: producer,
            topics: .init(
                input: configuration.inputTopic, summaries: configuration.outputTopic, deadLetters: configuration.dlqTopic,
                partials: configuration.statsPartialsTopic, partialsPartitionCount: Int32(partialsPartitions)),
            logger: logger, clock: clock)
        consumer = try KafkaConsumer(
            configuration: consumerConfiguration, logger: logger,
            commitHandler: { [unowned self] result in self.committed(result) },
            wakesFetcher: configuration.wakeFetcher,
            rebalanceHandler: { [unowned self] _, event in self.rebalanced(event) })
        try consumer.subscribe(topics: [configuration.inputTopic])
        wakeupTarget.withLock { $0 = consumer }
    }

    /// One turn of the loop.
    private func runOnce() {
        if let fatal = consumer.fatalFailure ?? producer.fatalFailure {
            fail("fatal Kafka client error: \(fatal)")
            return
        }
        applyBackpressure()
        if case .holding = backpressure.state {
            producer.poll(timeout: .milliseconds(10))  // waits for deliveries to make room
        } else {
            // Off, or paused (the partitions are paused: polling serves rebalances and keeps the
            // member within max.poll.interval.ms).
            batchArrivalMs = nil
            consumer.poll(maxMessages: 2_000, timeout: .milliseconds(50)) { message in
                self.consume(message)
            }
            producer.poll(timeout: .zero)
        }
        let nanos = clock.monotonicNanos()
        let nowMs = Int64(nanos / 1_000_000)
        if nowMs - (lastIdleTickMs ?? .min / 2) >= Self.idleTickIntervalMs {
            lastIdleTickMs = nowMs
            tickIdlePartitions(now: nowMs)
        }
        manager.enforceSessionCap(configuration.maxOpenSessions) { output, task in collector.send(output, from: task) }
        if nanos &- lastCommitNanos >= UInt64(configuration.commitIntervalMs) * 1_000_000 {
            lastCommitNanos = nanos
            commit(manager.partitions, synchronously: false)
        }
        for query in queries.drain() {
            query.answer(liveSession(query.interactionID))
        }
        if nanos &- lastPublishNanos >= 200_000_000 {
            lastPublishNanos = nanos
            publishMetrics()
        }
    }

    /// Idle advancement for partitions with nothing waiting to be read: records still pending (a
    /// rebalance or backpressure paused fetching) must not be overtaken by wall-clock
    /// advancement, or sessions would end early and replays would differ.
    private func tickIdlePartitions(now: Int64) {
        let tasks = manager.sortedTasks
        // The event time this thread's partitions reached: how far a partition that never saw an
        // event may report its (empty) windows complete — once traffic has flowed for the idle
        // period, so that a partition whose first records are merely slower to arrive is not
        // overtaken (its sessions would count in later windows).
        var siblingsWatermark = tasks.reduce(Int64.min) { max($0, $1.topology.watermark) }
        if siblingsWatermark != Int64.min, eventTimeSinceMs == nil { eventTimeSinceMs = now }
        if now - (eventTimeSinceMs ?? now) < configuration.idleAdvanceAfterMs { siblingsWatermark = Int64.min }
        for task in tasks where !task.isReplaying {
            if let lag = consumer.lag(TopicPartition(topic: configuration.inputTopic, partition: task.partition)), lag > 0 {
                continue
            }
            task.tick(nowMs: now) { output in collector.send(output, from: task) }
            task.advanceWindowsIfEmpty(to: siblingsWatermark, nowMs: now, idleAfterMs: configuration.idleAdvanceAfterMs) { output in
                collector.send(output, from: task)
            }
        }
    }

    // MARK: - Input

    private func consume(_ message: ConsumedMessage) {
        if let error = message.error {
            if message.isPartitionEOF {
                if let task = manager.task(for: message.partition), task.reachedEndOfPartition() {
                    logReplayFinished(task)
                }
                return
            }
            if error.code == .unknownTopicOrPartition || error.code == .unknownTopic {
                fail("input topic '\(configuration.inputTopic)' does not exist (\(error))")
            } else if error.isFatal {
                fail("consumer error: \(error)")
            } else {
                logger.warning("consumer error", metadata: ["error": "\(error)"])
            }
            return
        }
        guard let task = manager.task(for: message.partition) else { return }
        let now: Int64
        if let batchArrivalMs {
            now = batchArrivalMs
        } else {
            now = clock.monotonicMs()
            batchArrivalMs = now
        }
        if task.isReplaying { metrics.replayedRecords += 1 }
        let collector = self.collector!
        let finishedReplay = task.process(
            key: message.key, value: message.value, offset: message.offset, recordTimestampMs: message.timestamp, arrivalMs: now
        ) { output in
            collector.send(output, from: task)
        }
        if finishedReplay { logReplayFinished(task) }
    }

    private func logReplayFinished(_ task: StreamTask) {
        logger.info("replay finished", metadata: ["kafka.partition": "\(task.partition)", "sessions.open": "\(task.topology.openSessionCount)"])
    }

    // MARK: - Output

    private func delivered(_ report: DeliveryReport) {
        guard let settlement = collector.delivered(report) else { return }
        manager.task(partition: settlement.partition, generation: settlement.generation)?.acknowledged(cause: settlement.cause)
    }

    // MARK: - Commits

    private func commit(_ partitions: [Int32], synchronously: Bool) {
        var offsets: [TopicPartitionOffset] = []
        for partition in partitions {
            guard let task = manager.tasks[partition], let request = task.commitRequest() else { continue }
            offsets.append(TopicPartitionOffset(topic: configuration.inputTopic, partition: partition, offset: request.offset, metadata: request.metadata))
        }
        guard !offsets.isEmpty else { return }
        let started = clock.monotonicNanos()
        do {
            if synchronously {
                try consumer.commit(offsets)
                metrics.commitLatency.observe(seconds: Double(clock.monotonicNanos() &- started) / 1e9)
            } else {
                try consumer.commitAsync(offsets)
                commitRequestedAt.append(started)
            }
        } catch {
            for offset in offsets { manager.tasks[offset.partition]?.commitFailed() }
            logger.warning("offset commit failed", metadata: ["error": "\(error)"])
        }
    }

    private func committed(_ result: CommitResult) {
        if !commitRequestedAt.isEmpty {
            let started = commitRequestedAt.removeFirst()
            metrics.commitLatency.observe(seconds: Double(clock.monotonicNanos() &- started) / 1e9)
        }
        if let error = result.error {
            for offset in result.offsets { manager.tasks[offset.partition]?.commitFailed() }
            logger.warning("offset commit failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Rebalance

    private func rebalanced(_ event: RebalanceEvent) {
        switch event {
        case .assigned(let partitions):
            // Stopping: partitions that another stream thread of this process gives up while it
            // leaves the group are not worth rebuilding here; this member is leaving too.
            guard !shouldStop else { break }
            assign(partitions.filter { $0.topic == configuration.inputTopic })
        case .revoked(let partitions):
            let numbers = partitions.map(\.partition)
            let stopping = shouldStop
            // Every output of these partitions must be acknowledged before their last commit.
            if stopping { progress.enter("leaving the consumer group: flushing outputs of the revoked partitions") }
            do { try producer.flush(timeout: .milliseconds(configuration.shutdownTimeoutMs)) } catch {
                logger.error("flush on revoke failed", metadata: ["error": "\(error)"])
            }
            if stopping { progress.enter("leaving the consumer group: committing the revoked partitions") }
            if failure == nil { commit(numbers, synchronously: true) }
            if stopping { progress.enter("leaving the consumer group (unsubscribe, then rd_kafka_consumer_close)") }
            for partition in numbers { close(partition) }
            logger.info("partitions revoked", metadata: ["kafka.partitions": "\(numbers)"])
        case .lost(let partitions):
            for partition in partitions { close(partition.partition) }
            logger.warning("partitions lost; their state is dropped and will be rebuilt by their new owner",
                           metadata: ["kafka.partitions": "\(partitions.map(\.partition))"])
        }
        publishMetrics()
    }

    /// Closes a partition's task, keeping its counts in the metrics.
    private func close(_ partition: Int32) {
        guard let task = manager.close(partition: partition) else { return }
        foldCounts(of: task)
    }

    private func foldCounts(of task: StreamTask) {
        guard task.consumedSincePublish > 0 else { return }
        metrics.consumedByPartition[task.partition, default: 0] += task.consumedSincePublish
        task.consumedSincePublish = 0
    }

    private func assign(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        let committed: [TopicPartitionOffset]
        do {
            committed = try consumer.committed(partitions, timeout: .seconds(30))
        } catch {
            fail("cannot read committed offsets for \(partitions): \(error)")
            return
        }
        do {
            manager.setInputPartitionCount(Int32(try consumer.partitionCount(of: configuration.inputTopic, timeout: .seconds(30))))
        } catch {
            logger.warning("cannot read the input topic's partition count; partials keep the last known one", metadata: ["error": "\(error)"])
        }
        let now = clock.monotonicMs()
        for partition in partitions {
            let entry = committed.first { $0.partition == partition.partition }
            let task = manager.assign(
                partition: partition.partition, committedOffset: entry.flatMap { $0.isValid ? $0.offset : nil },
                metadata: entry?.metadata, nowMs: now)
            logger.info("partition assigned", metadata: [
                "kafka.partition": "\(partition.partition)", "kafka.offset": "\(entry.flatMap { $0.isValid ? $0.offset : nil } ?? 0)",
                "replay.through": "\(task.replayThrough.map(String.init) ?? "-")",
            ])
        }
    }

    // MARK: - Backpressure

    private func applyBackpressure() {
        let queued = producer.outQueueLength
        switch backpressure.update(queued: queued, nowNanos: clock.monotonicNanos()) {
        case nil:
            if backpressure.state == .paused {
                producer.poll(timeout: .milliseconds(50))  // still full: wait for deliveries
            }
        case .hold:
            logger.notice("input held: producer queue is full", metadata: ["producer.queued": "\(queued)"])
        case .pause:
            try? consumer.pause(assignedInput())
            logger.notice("input paused: producer queue stayed full", metadata: [
                "producer.queued": "\(queued)", "held.seconds": "\(backpressure.holdLimitNanos / 1_000_000_000)",
            ])
        case .resume(let fromPause):
            if fromPause { try? consumer.resume(assignedInput()) }
            logger.notice("input resumed", metadata: ["producer.queued": "\(queued)"])
        }
    }

    private func assignedInput() -> [TopicPartition] {
        manager.partitions.map { TopicPartition(topic: configuration.inputTopic, partition: $0) }
    }

    // MARK: - Queries and metrics

    private func liveSession(_ interactionID: String) -> String? {
        for task in manager.tasks.values {
            if let json = task.topology.liveSessionJSON(interactionID: interactionID) { return json }
        }
        return nil
    }

    private func publishMetrics() {
        metrics.openSessionsByPartition = [:]
        metrics.watermarkByPartition = [:]
        metrics.commitLagRecordsByPartition = [:]
        metrics.commitLagEventTimeMsByPartition = [:]
        collector?.contribute(to: &metrics)
        for task in manager.tasks.values {
            foldCounts(of: task)
            metrics.openSessionsByPartition[task.partition] = task.topology.openSessionCount
            metrics.commitLagRecordsByPartition[task.partition] = task.commitLagRecords
            metrics.commitLagEventTimeMsByPartition[task.partition] = task.retainedEventTimeLagMs
            if task.topology.watermark != Int64.min { metrics.watermarkByPartition[task.partition] = task.topology.watermark }
        }
        if let consumer {
            metrics.fetchWakeups = UInt64(consumer.fetchWakeups)
            metrics.consumerLagByPartition = [:]
            for (partition, lag) in consumer.lags() where partition.topic == configuration.inputTopic {
                metrics.consumerLagByPartition[partition.partition] = lag
            }
        }
        metrics.replayingPartitions = manager.replayingCount
        metrics.ready = !manager.isEmpty && metrics.replayingPartitions == 0 && failure == nil && !shouldStop
        board.publish(metrics, slot: slot)
    }

    // MARK: - Stopping

    private func fail(_ reason: String) {
        guard failure == nil else { return }
        ownFailure = reason
        logger.critical("processor failing", metadata: ["reason": "\(reason)"])
    }

    private func shutDown() {
        logger.info("shutting down: flushing outputs and committing offsets")
        progress.enter("flushing outputs")
        do { try producer.flush(timeout: .milliseconds(configuration.shutdownTimeoutMs)) } catch {
            logger.error("flush at shutdown did not complete", metadata: ["error": "\(error)", "producer.queued": "\(producer.outQueueLength)"])
        }
        progress.enter("committing offsets")
        if failure == nil {
            commit(manager.partitions, synchronously: true)
        }
        progress.enter("leaving the consumer group (unsubscribe, then rd_kafka_consumer_close)")
        // Leaving the group revokes every partition; the revoke handler commits once more
        // (nothing changed) and closes the tasks. Open sessions are not force-closed: whoever
        // takes the partitions next rebuilds them by replay.
        do { try consumer.close() } catch {
            logger.warning("leaving the consumer group failed", metadata: ["error": "\(error)"])
        }
        queries.failAll()
        // Destroy the clients now (not when the service is released) so that nothing keeps
        // reconnecting to a cluster that goes away with the process (the demo's in-process one).
        wakeupTarget.withLock { $0 = nil }
        ownFailure = failure  // keeps the collector's failure, if any, past the collector
        consumer = nil
        collector = nil
        producer = nil
        metrics.ready = false
        board.publish(metrics, slot: slot)
        progress.finish()
        logger.info("processor stopped", metadata: ["failure": "\(failure ?? "none")"])
    }
}
