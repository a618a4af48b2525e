import CallbackStreamCore
import Foundation
import Kafka
import Logging
import Synchronization

/// The poll loop: consume a batch → run each record through its partition's topology →
/// produce outputs → serve delivery reports → tick idle partitions → commit → publish metrics.
///
/// It runs on one dedicated thread (never on Swift's cooperative pool) and owns all processor
/// state without locks; other threads only set ``requestStop()`` and read published snapshots.
final class ProcessorLoop: @unchecked Sendable {
    // @unchecked Sendable: every stored property except the Mutexes `stopRequested` and
    // `wakeupTarget` is touched only by the thread that calls `run()`; other threads may only
    // call `requestStop()`.

    private let configuration: ProcessorConfiguration
    private let logger: Logger
    private let board: MetricsBoard
    /// This loop's slot on the board (its stream thread's index).
    private let slot: Int
    private let queries: SessionQueries
    private let stopRequested = Mutex(false)
    /// The consumer as seen from other threads (only to interrupt a waiting poll).
    private let wakeupTarget = Mutex<KafkaConsumer?>(nil)

    private var consumer: KafkaConsumer!
    private var producer: KafkaProducer!
    private var tasks: [Int32: PartitionTask] = [:]
    private var generation: UInt32 = 0
    private var slab = DeliverySlab()
    private var metrics = MetricsSnapshot()
    private var summaryCounters = SummaryCounters()
    /// The task of the previous record (records come in runs per partition); reset on rebalance.
    private var lastTask: PartitionTask?
    /// The headers of every summary, reused: only the `summaryId` value's bytes change.
    private var summaryHeaders = [KafkaHeader(name: "summaryId", value: [UInt8]())]
    /// The wall clock when the current poll batch began to be processed (read once per batch).
    private var batchArrivalMs: Int64?
    private var failure: String?
    private var backpressure = Backpressure.off
    private var lastCommitNanos: UInt64 = 0
    private var lastPublishNanos: UInt64 = 0
    private var lastSampleNanos: UInt64 = 0
    private var commitRequestedAt: [UInt64] = []
    private let topologyConfiguration: TopologyConfiguration

    /// Producer queue depth at which input stops (half of librdkafka's
    /// `queue.buffering.max.messages`, so input stops long before producing would fail), and at
    /// which it resumes.
    private let pauseAtQueueLength: Int
    private let resumeAtQueueLength: Int

    /// Whether input is stopped because the producer queue is full.
    ///
    /// First the loop only *holds*: it stops taking records from the consumer but keeps what
    /// librdkafka prefetched (pausing partitions would discard the prefetch queue, to be fetched
    /// again). A hold longer than ``Backpressure/holdLimitNanos`` (a broker that stopped
    /// acknowledging) becomes a pause of the assigned partitions, so the consumer is polled
    /// again — rebalances are served and `max.poll.interval.ms` is never exceeded.
    enum Backpressure: Equatable {
        case off
        case holding(sinceNanos: UInt64)
        case paused

        static let holdLimitNanos: UInt64 = 5_000_000_000
    }

    init(configuration: ProcessorConfiguration, logger: Logger, board: MetricsBoard, slot: Int = 0, queries: SessionQueries) {
        self.configuration = configuration
        self.logger = logger
        self.board = board
        self.slot = slot
        self.queries = queries
        self.topologyConfiguration = TopologyConfiguration(
            inactivityTimeoutMs: configuration.inactivityTimeoutMs,
            allowedLatenessMs: configuration.allowedLatenessMs,
            idleAdvanceAfterMs: configuration.idleAdvanceAfterMs,
            windowMs: configuration.windowMs,
            alertThreshold: configuration.alertThreshold,
            alertMinVolume: configuration.alertMinVolume,
            maxRecordBytes: configuration.maxRecordBytes,
            includeFormValues: configuration.includeFormValues,
            publishNotOpened: configuration.publishNotOpened,
            maxOpenSessions: configuration.maxOpenSessions,
            maxRememberedSessions: configuration.maxRememberedSessions)
        metrics.alertThreshold = configuration.alertThreshold
        let producerQueueCapacity = configuration.librdkafka["queue.buffering.max.messages"].flatMap(Int.init) ?? 100_000
        pauseAtQueueLength = max(1, producerQueueCapacity / 2)
        resumeAtQueueLength = max(0, producerQueueCapacity * 2 / 5)
    }

    /// Asks the loop to stop after its current turn (any thread).
    func requestStop() {
        stopRequested.withLock { $0 = true }
        wakeupTarget.withLock { $0?.wakeup() }
    }

    private var shouldStop: Bool { stopRequested.withLock { $0 } }

    // MARK: - Running

    /// Runs until ``requestStop()`` or a fatal error; then flushes, commits and leaves the group.
    /// - Returns: `nil` on a clean stop, else the reason the processor failed.
    func run() -> String? {
        do {
            try start()
        } catch {
            return "cannot start: \(error)"
        }
        logger.info("processor started", metadata: [
            "kafka.bootstrap": "\(configuration.bootstrapServers)", "kafka.group": "\(configuration.groupID)",
            "topic.input": "\(configuration.inputTopic)",
        ])
        while !shouldStop, failure == nil {
            turn()
        }
        shutDown()
        return failure
    }

    /// The consumer's and the producer's librdkafka configurations for `configuration`.
    ///
    /// A pass-through (`-X`) property goes to every client that accepts it; one that neither
    /// accepts is an error carrying librdkafka's own text.
    static func clientConfigurations(_ configuration: ProcessorConfiguration) throws(KafkaError) -> (consumer: KafkaConfiguration, producer: KafkaConfiguration) {
        var common = KafkaConfiguration()
        try common.set("bootstrap.servers", configuration.bootstrapServers)
        var consumer = common
        try consumer.set("group.id", configuration.groupID)
        try consumer.set("partition.assignment.strategy", "cooperative-sticky")
        try consumer.set("auto.offset.reset", "earliest")
        try consumer.set("enable.partition.eof", "true")
        try consumer.set("enable.auto.commit", "false")
        try consumer.set("enable.auto.offset.store", "false")
        // A smaller prefetch than librdkafka's defaults (100,000 messages / 64 MiB, and fetch
        // responses of up to 50 MiB): with the fetcher woken as soon as the queue drains
        // (`--wake-fetcher`), 20,000 records / 8 MiB in responses of at most 4 MiB keep up just as
        // well and save ~140 MB of peak RSS (BENCHMARKS.md, "End to end", memory). Stream threads
        // share these bytes: each one's consumer gets 1/N of them, the process's prefetch stays the
        // same. (librdkafka refuses a `fetch.max.bytes` below `message.max.bytes`.)
        let threads = max(1, configuration.streamThreads)
        let messageMaxBytes = configuration.librdkafka["message.max.bytes"].flatMap(Int.init) ?? 0
        try consumer.set("queued.min.messages", "20000")
        try consumer.set("queued.max.messages.kbytes", "\(max(1024, 8192 / threads))")
        try consumer.set("fetch.max.bytes", "\(max(1 << 20, (4 << 20) / threads, messageMaxBytes))")
        var producer = common
        try producer.set("linger.ms", "5")
        try producer.set("compression.type", "lz4")
        for (key, value) in configuration.librdkafka.sorted(by: { $0.key < $1.key }) {
            var accepted = false
            var rejection: KafkaError?
            do { try consumer.set(key, value); accepted = true } catch { rejection = error }
            do { try producer.set(key, value); accepted = true } catch { rejection = error }
            if !accepted, let rejection { throw rejection }
        }
        return (consumer, producer)
    }

    private func start() throws {
        let (consumerConfiguration, producerConfiguration) = try Self.clientConfigurations(configuration)
        producer = try KafkaProducer(configuration: producerConfiguration, logger: logger) { [unowned self] report in
            self.delivered(report)
        }
        consumer = try KafkaConsumer(
            configuration: consumerConfiguration, logger: logger,
            commitHandler: { [unowned self] result in self.committed(result) },
            wakesFetcher: configuration.wakeFetcher,
            rebalanceHandler: { [unowned self] _, event in self.rebalanced(event) })
        try consumer.subscribe(topics: [configuration.inputTopic])
        wakeupTarget.withLock { $0 = consumer }
    }

    private func turn() {
        if let fatal = consumer.fatalFailure ?? producer.fatalFailure {
            fail("fatal Kafka client error: \(fatal)")
            return
        }
        applyBackpressure()
        if case .holding = backpressure {
            producer.poll(timeout: .milliseconds(10))  // waits for deliveries to make room
        } else {
            batchArrivalMs = nil
            consumer.poll(maxMessages: 2_000, timeout: .milliseconds(50)) { message in
                self.consume(message)
            }
            producer.poll(timeout: .zero)
        }
        let now = Self.wallClockMs()
        for task in tasks.values.sorted(by: { $0.partition < $1.partition }) where !task.isReplaying {
            // A partition is idle only when nothing is waiting to be read: records still pending
            // (a rebalance or backpressure paused fetching) must not be overtaken by wall-clock
            // advancement, or sessions would end early and replays would differ.
            if let lag = consumer.lag(TopicPartition(topic: configuration.inputTopic, partition: task.partition)), lag > 0 {
                continue
            }
            task.topology.tick(nowMs: now) { output in self.emit(output, from: task) }
        }
        enforceSessionCap()
        let nanos = DispatchTime.now().uptimeNanoseconds
        if nanos - lastCommitNanos >= UInt64(configuration.commitIntervalMs) * 1_000_000 {
            lastCommitNanos = nanos
            commit(tasks.keys.sorted(), synchronously: false)
        }
        for query in queries.drain() {
            query.answer(liveSession(query.interactionID))
        }
        if nanos - lastPublishNanos >= 200_000_000 {
            lastPublishNanos = nanos
            publishMetrics()
        }
    }

    // MARK: - Input

    private func consume(_ message: ConsumedMessage) {
        if let error = message.error {
            if message.isPartitionEOF {
                if let task = tasks[message.partition], task.isReplaying {
                    // The log ends before the replay mark (e.g. retention removed records): stop replaying.
                    finishReplay(task)
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
        let task: PartitionTask
        if let last = lastTask, last.partition == message.partition {
            task = last
        } else {
            guard let found = tasks[message.partition] else { return }
            lastTask = found
            task = found
        }
        let offset = message.offset
        let now: Int64
        if let batchArrivalMs {
            now = batchArrivalMs
        } else {
            now = Self.wallClockMs()
            batchArrivalMs = now
        }
        task.lastArrivalMs = now
        task.consumedSincePublish &+= 1
        task.ledger.willProcess(offset: offset, watermark: task.topology.watermark, retainedOffset: task.topology.minimumRetainedOffset)
        if task.isReplaying { metrics.replayedRecords += 1 }
        task.topology.process(key: message.key, value: message.value, offset: offset, arrivalMs: now) { output in
            self.emit(output, from: task)
        }
        if let mark = task.suppressThrough, offset >= mark {
            finishReplay(task)
        }
    }

    /// Ends a partition's replay: restores the watermark it had when its outputs were last
    /// acknowledged (firing the same timers, still suppressed), then publishes normally.
    private func finishReplay(_ task: PartitionTask) {
        if let watermark = task.restoredWatermark {
            task.topology.advanceWatermark(to: watermark) { output in self.emit(output, from: task) }
        }
        task.suppressThrough = nil
        task.restoredWatermark = nil
        logger.info("replay finished", metadata: ["kafka.partition": "\(task.partition)", "sessions.open": "\(task.topology.openSessionCount)"])
    }

    // MARK: - Output

    private func emit(_ output: TopologyOutput, from task: PartitionTask) {
        if task.isReplaying {
            return  // already published before the restart: rebuild state only
        }
        let nowNanos = DispatchTime.now().uptimeNanoseconds
        let kind: MetricsSnapshot.Output
        let topic: String
        let headers: [KafkaHeader]
        switch output.info {
        case let .summary(summaryID, outcome, closeReason, stages, published):
            summaryCounters.count(outcome: outcome, closeReason: closeReason, stages: stages)
            if output.evicted { metrics.evictions += 1 }
            guard published else { return }  // notOpened sessions are counted, not published (by default)
            kind = .summaries
            topic = configuration.outputTopic
            // In place (no allocation once the value's capacity fits an id): the array and the
            // value are uniquely referenced again as soon as the previous produce returned.
            summaryHeaders[0].value!.removeAll(keepingCapacity: true)
            summaryHeaders[0].value!.append(contentsOf: summaryID)
            headers = summaryHeaders
            if nowNanos - lastSampleNanos >= 1_000_000_000 {
                lastSampleNanos = nowNanos
                metrics.sampleSummary = String(decoding: output.value, as: UTF8.self)
            }
        case let .deadLetter(code, detail, sourceOffset):
            kind = .dlq
            topic = configuration.dlqTopic
            headers = [
                KafkaHeader(name: "error", value: code.rawValue),
                KafkaHeader(name: "error.detail", value: detail),
                KafkaHeader(name: "source.topic", value: configuration.inputTopic),
                KafkaHeader(name: "source.partition", value: "\(task.partition)"),
                KafkaHeader(name: "source.offset", value: "\(sourceOffset)"),
            ]
            metrics.deadLettersByCode[code.rawValue, default: 0] += 1
            if code == .lateEvent { metrics.lateEvents += 1 }
        case let .stats(errorRatio, p50, p95, p99):
            kind = .stats
            topic = configuration.statsTopic
            headers = []
            if let errorRatio { metrics.lastWindowErrorRatio = errorRatio }
            if let p50, let p95, let p99 { metrics.lastWindowElapsed = .init(p50: Double(p50), p95: Double(p95), p99: Double(p99)) }
        case .alert:
            kind = .alerts
            topic = configuration.alertsTopic
            headers = []
            metrics.alerts += 1
            metrics.recentAlerts.append(String(decoding: output.value, as: UTF8.self))
            if metrics.recentAlerts.count > MetricsSnapshot.recentAlertLimit { metrics.recentAlerts.removeFirst() }
            logger.warning("error-spike alert", metadata: ["alert": "\(String(decoding: output.value, as: UTF8.self))"])
        }
        let cause = task.ledger.produced()
        let opaque = slab.allocate(.init(
            partition: task.partition, generation: task.generation, cause: cause,
            producedAtNanos: nowNanos, output: kind))
        while true {
            do {
                try producer.produce(topic: topic, key: output.key, value: output.value, headers: headers, opaque: opaque)
                return
            } catch where error.isQueueFull {
                producer.poll(timeout: .milliseconds(10))  // bounded: serve reports until there is room
            } catch {
                fail("cannot produce to '\(topic)': \(error)")
                return
            }
        }
    }

    private func delivered(_ report: DeliveryReport) {
        guard let entry = slab.release(report.opaque) else { return }
        if let error = report.error {
            // librdkafka already retried what can be retried: this output is lost unless we stop
            // here without committing past it, so that a restart replays and produces it again.
            fail("delivery to '\(report.topic)' failed permanently: \(error)")
            return
        }
        metrics.producedByOutput[entry.output, default: 0] += 1
        metrics.deliveryLatency.observe(seconds: Double(DispatchTime.now().uptimeNanoseconds - entry.producedAtNanos) / 1e9)
        guard let task = tasks[entry.partition], task.generation == entry.generation else { return }
        task.ledger.acknowledged(cause: entry.cause)
    }

    // MARK: - Commits

    private func commit(_ partitions: [Int32], synchronously: Bool) {
        var offsets: [TopicPartitionOffset] = []
        for partition in partitions {
            guard let task = tasks[partition], !task.isReplaying else { continue }
            let point = task.ledger.commitPoint(retainedOffset: task.topology.minimumRetainedOffset, watermark: task.topology.watermark)
            let key = TopicPartitionOffsetKey(offset: point.offset, metadata: point.metadata.encoded)
            guard key != task.lastCommitted, point.offset >= 0 else { continue }
            task.lastCommitted = key
            offsets.append(TopicPartitionOffset(topic: configuration.inputTopic, partition: partition, offset: point.offset, metadata: key.metadata))
        }
        guard !offsets.isEmpty else { return }
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            if synchronously {
                try consumer.commit(offsets)
                metrics.commitLatency.observe(seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            } else {
                try consumer.commitAsync(offsets)
                commitRequestedAt.append(started)
            }
        } catch {
            for offset in offsets { tasks[offset.partition]?.lastCommitted = nil }
            logger.warning("offset commit failed", metadata: ["error": "\(error)"])
        }
    }

    private func committed(_ result: CommitResult) {
        if !commitRequestedAt.isEmpty {
            let started = commitRequestedAt.removeFirst()
            metrics.commitLatency.observe(seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        }
        if let error = result.error {
            for offset in result.offsets { tasks[offset.partition]?.lastCommitted = nil }
            logger.warning("offset commit failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Rebalance

    private func rebalanced(_ event: RebalanceEvent) {
        lastTask = nil
        switch event {
        case .assigned(let partitions):
            // Stopping: partitions that another stream thread of this process gives up while it
            // leaves the group are not worth rebuilding here; this member is leaving too.
            guard !shouldStop else { break }
            assign(partitions.filter { $0.topic == configuration.inputTopic })
        case .revoked(let partitions):
            let numbers = partitions.map(\.partition)
            // Every output of these partitions must be acknowledged before their last commit.
            do { try producer.flush(timeout: .milliseconds(configuration.shutdownTimeoutMs)) } catch {
                logger.error("flush on revoke failed", metadata: ["error": "\(error)"])
            }
            if failure == nil { commit(numbers, synchronously: true) }
            for partition in numbers { drop(partition) }
            logger.info("partitions revoked", metadata: ["kafka.partitions": "\(numbers)"])
        case .lost(let partitions):
            for partition in partitions { drop(partition.partition) }
            logger.warning("partitions lost; their state is dropped and will be rebuilt by their new owner",
                           metadata: ["kafka.partitions": "\(partitions.map(\.partition))"])
        }
        publishMetrics()
    }

    /// Forgets a partition's task, keeping its counts in the metrics.
    private func drop(_ partition: Int32) {
        guard let task = tasks.removeValue(forKey: partition) else { return }
        foldCounts(of: task)
    }

    private func foldCounts(of task: PartitionTask) {
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
        let now = Self.wallClockMs()
        for partition in partitions {
            let entry = committed.first { $0.partition == partition.partition }
            let start = entry.map { $0.isValid ? $0.offset : 0 } ?? 0
            let metadata = entry?.metadata.flatMap(CommitMetadata.init(parsing:))
            generation &+= 1
            let task = PartitionTask(
                partition: partition.partition, generation: generation,
                topology: PartitionTopology(partition: partition.partition, configuration: topologyConfiguration),
                startOffset: start, metadata: metadata, nowMs: now)
            if let watermark = metadata?.watermark, !task.isReplaying {
                task.topology.advanceWatermark(to: watermark) { _ in }
            }
            tasks[partition.partition] = task
            logger.info("partition assigned", metadata: [
                "kafka.partition": "\(partition.partition)", "kafka.offset": "\(start)",
                "replay.through": "\(task.suppressThrough.map(String.init) ?? "-")",
            ])
        }
    }

    // MARK: - Limits

    private func applyBackpressure() {
        let queued = producer.outQueueLength
        switch backpressure {
        case .off:
            guard queued >= pauseAtQueueLength else { return }
            backpressure = .holding(sinceNanos: DispatchTime.now().uptimeNanoseconds)
            logger.notice("input held: producer queue is full", metadata: ["producer.queued": "\(queued)"])
        case .holding(let since):
            if queued <= resumeAtQueueLength {
                backpressure = .off
                logger.notice("input resumed", metadata: ["producer.queued": "\(queued)"])
            } else if DispatchTime.now().uptimeNanoseconds - since >= Backpressure.holdLimitNanos {
                backpressure = .paused
                try? consumer.pause(assignedInput())
                logger.notice("input paused: producer queue stayed full", metadata: [
                    "producer.queued": "\(queued)", "held.seconds": "\(Backpressure.holdLimitNanos / 1_000_000_000)",
                ])
            }
        case .paused:
            if queued <= resumeAtQueueLength {
                backpressure = .off
                try? consumer.resume(assignedInput())
                logger.notice("input resumed", metadata: ["producer.queued": "\(queued)"])
            } else {
                producer.poll(timeout: .milliseconds(50))
            }
        }
    }

    private func assignedInput() -> [TopicPartition] {
        tasks.keys.sorted().map { TopicPartition(topic: configuration.inputTopic, partition: $0) }
    }

    private func enforceSessionCap() {
        var open = tasks.values.reduce(0) { $0 + $1.topology.openSessionCount }
        while open > configuration.maxOpenSessions {
            var victim: PartitionTask?
            var victimDeadline = Int64.max
            for task in tasks.values.sorted(by: { $0.partition < $1.partition }) where !task.isReplaying {
                if let deadline = task.topology.earliestDeadline(), deadline < victimDeadline {
                    victim = task
                    victimDeadline = deadline
                }
            }
            guard let victim else { break }
            victim.topology.evictEarliest { output in self.emit(output, from: victim) }
            open -= 1
        }
    }

    // MARK: - Queries and metrics

    private func liveSession(_ interactionID: String) -> String? {
        for task in tasks.values {
            if let json = task.topology.liveSessionJSON(interactionID: interactionID) { return json }
        }
        return nil
    }

    private func publishMetrics() {
        metrics.openSessionsByPartition = [:]
        metrics.watermarkByPartition = [:]
        summaryCounters.fold(into: &metrics)
        for task in tasks.values {
            foldCounts(of: task)
            metrics.openSessionsByPartition[task.partition] = task.topology.openSessionCount
            if task.topology.watermark != Int64.min { metrics.watermarkByPartition[task.partition] = task.topology.watermark }
        }
        if let consumer {
            metrics.fetchWakeups = UInt64(consumer.fetchWakeups)
            metrics.consumerLagByPartition = [:]
            for (partition, lag) in consumer.lags() where partition.topic == configuration.inputTopic {
                metrics.consumerLagByPartition[partition.partition] = lag
            }
        }
        metrics.replayingPartitions = tasks.values.filter(\.isReplaying).count
        metrics.ready = !tasks.isEmpty && metrics.replayingPartitions == 0 && failure == nil && !shouldStop
        board.publish(metrics, slot: slot)
    }

    // MARK: - Stopping

    private func fail(_ reason: String) {
        guard failure == nil else { return }
        failure = reason
        logger.critical("processor failing", metadata: ["reason": "\(reason)"])
    }

    private func shutDown() {
        logger.info("shutting down: flushing outputs and committing offsets")
        do { try producer.flush(timeout: .milliseconds(configuration.shutdownTimeoutMs)) } catch {
            logger.error("flush at shutdown did not complete", metadata: ["error": "\(error)", "producer.queued": "\(producer.outQueueLength)"])
        }
        if failure == nil {
            commit(tasks.keys.sorted(), synchronously: true)
        }
        // Leaving the group revokes every partition; the revoke handler commits once more
        // (nothing changed) and drops state. Open sessions are not force-closed: whoever
        // takes the partitions next rebuilds them by replay.
        do { try consumer.close() } catch {
            logger.warning("leaving the consumer group failed", metadata: ["error": "\(error)"])
        }
        queries.failAll()
        // Destroy the clients now (not when the service is released) so that nothing keeps
        // reconnecting to a cluster that goes away with the process (the demo's in-process one).
        wakeupTarget.withLock { $0 = nil }
        consumer = nil
        producer = nil
        metrics.ready = false
        board.publish(metrics, slot: slot)
        logger.info("processor stopped", metadata: ["failure": "\(failure ?? "none")"])
    }

    static func wallClockMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
