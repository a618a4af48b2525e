import CallbackStreamCore
import Kafka
import Logging
import Synchronization

/// The second stage of the stats aggregation (Kafka Streams' `groupBy` through a repartition
/// topic): a consumer of the partials topic in its own group (`<group-id>.stats-merge`), so that
/// whichever instance owns a partials partition merges the windows routed to it, and publishes
/// exactly one stats record per (tenant, window) and at most one alert, once every input
/// partition reported the window (or after the merge timeout).
///
/// Like a ``StreamThread`` it runs one loop on its own thread: poll partials → feed each
/// partition's ``MergeTask`` → produce what it publishes → serve delivery reports (each settles
/// a record of a window) → tick the mergers (merge timeouts, on the wall clock) → maybe commit
/// each task's checkpoint → publish metrics. A per-record produce failure is counted and
/// settled (``ProduceErrorPolicy``); any other stops the processor without committing past it.
final class StatsMergeThread: @unchecked Sendable {
    // @unchecked Sendable: every stored property except the Mutexes is touched only by the
    // thread that calls `run()`; other threads may only call `requestStop()`.

    private struct InFlight {
        var partition: Int32
        var generation: UInt32
        var windowStart: Int64
        var output: MetricsSnapshot.Output
        var producedAtNanos: UInt64
    }

    private let configuration: ProcessorConfiguration
    private let mergerConfiguration: WindowMergerConfiguration
    private let logger: Logger
    private let board: MetricsBoard
    private let slot: Int
    private let clock: any ProcessorClock
    private let stopRequested = Mutex(false)
    /// Which step of its stop this thread is in (read by the service when the bound passes).
    let progress = ShutdownProgress(name: "the stats merge stage")
    private let wakeupTarget = Mutex<KafkaConsumer?>(nil)

    private var consumer: KafkaConsumer!
    private var producer: KafkaProducer!
    // Per-record state: no dynamic exclusivity check (see ``PartitionTopology``'s engine). Only
    // the owning thread touches it, and nothing it calls re-enters a mutation of it.
    @exclusivity(unchecked) private var tasks: [Int32: MergeTask] = [:]
    private var generation: UInt32 = 0
    private var inFlight: [UInt64: InFlight] = [:]
    private var nextOpaque: UInt64 = 0
    private var metrics = MetricsSnapshot()
    /// Merge counters of tasks already closed (revoked), so that the totals stay monotonic.
    private var closedTaskCounters: [String: UInt64] = [:]
    private var lateLog = RateLimitedLog(intervalNanos: 10_000_000_000)
    private var failures = ProduceFailures()
    private var ownFailure: String?
    private var failure: String? { ownFailure ?? failures.failure }
    /// The most recent window published, with its submissions over all tenants (for the
    /// `window_error_ratio` gauge, which is about the window, not one tenant).
    private var lastWindow: (start: Int64, submissions: Int, withErrors: Int)?
    private var lastCommitNanos: UInt64 = 0
    private var lastPublishNanos: UInt64 = 0

    /// The consumer group of the merge stage for the processor's `groupID`.
    static func groupID(for groupID: String) -> String { groupID + ".stats-merge" }

    init(configuration: ProcessorConfiguration, logger: Logger, board: MetricsBoard, slot: Int, clock: any ProcessorClock = SystemProcessorClock()) {
        self.configuration = configuration
        mergerConfiguration = WindowMergerConfiguration(topology: configuration.topology, mergeTimeoutMs: configuration.statsMergeTimeoutMs)
        var logger = logger
        logger[metadataKey: "stage"] = "stats-merge"
        self.logger = logger
        self.board = board
        self.slot = slot
        self.clock = clock
        metrics.alertThreshold = configuration.alertThreshold
    }

    /// Asks the thread to stop after its current turn (any thread).
    func requestStop() {
        stopRequested.withLock { $0 = true }
        wakeupTarget.withLock { $0?.wakeup() }
    }

    private var shouldStop: Bool { stopRequested.withLock { $0 } }

    /// Runs until ``requestStop()`` or a fatal error; then flushes, commits and leaves the group.
    /// - Returns: `nil` on a clean stop, else the reason the processor failed.
    func run() -> String? {
        do {
            try start()
        } catch {
            progress.finish()
            return "cannot start the stats merge stage: \(error)"
        }
        while !shouldStop, failure == nil {
            runOnce()
        }
        shutDown()
        return failure
    }

    private func start() throws {
        let (baseConsumerConfiguration, producerConfiguration) = try KafkaClientConfigurations.make(configuration, member: "stats-merge")
        var consumerConfiguration = baseConsumerConfiguration
        try consumerConfiguration.set("group.id", Self.groupID(for: configuration.groupID))
        // Partials are small and few (one per tenant, window and input partition): a small prefetch.
        try consumerConfiguration.set("queued.min.messages", "1000")
        try consumerConfiguration.set("queued.max.messages.kbytes", "1024")
        producer = try KafkaProducer(configuration: producerConfiguration, logger: logger) { [unowned self] report in
            self.delivered(report)
        }
        consumer = try KafkaConsumer(
            configuration: consumerConfiguration, logger: logger,
            commitHandler: { [unowned self] result in self.committed(result) },
            rebalanceHandler: { [unowned self] _, event in self.rebalanced(event) })
        try consumer.subscribe(topics: [configuration.statsPartialsTopic])
        wakeupTarget.withLock { $0 = consumer }
        logger.info("stats merge stage started", metadata: [
            "kafka.group": "\(Self.groupID(for: configuration.groupID))", "topic.partials": "\(configuration.statsPartialsTopic)",
            "merge.timeout.ms": "\(mergerConfiguration.mergeTimeoutMs)",
        ])
    }

    private func runOnce() {
        if let fatal = consumer.fatalFailure ?? producer.fatalFailure {
            fail("fatal Kafka client error in the stats merge stage: \(fatal)")
            return
        }
        consumer.poll(maxMessages: 1_000, timeout: .milliseconds(100)) { message in
            self.consume(message)
        }
        producer.poll(timeout: .zero)
        let now = clock.wallMs()
        for task in tasks.values.sorted(by: { $0.partition < $1.partition }) {
            publish(task.merger.tick(nowMs: now), of: task)
        }
        let nanos = clock.monotonicNanos()
        if nanos &- lastCommitNanos >= UInt64(configuration.commitIntervalMs) * 1_000_000 {
            lastCommitNanos = nanos
            commit(tasks.keys.sorted(), synchronously: false)
        }
        if nanos &- lastPublishNanos >= 200_000_000 {
            lastPublishNanos = nanos
            publishMetrics()
        }
    }

    private func consume(_ message: ConsumedMessage) {
        if let error = message.error {
            if message.isPartitionEOF { return }
            if error.isFatal {
                fail("stats merge consumer error: \(error)")
            } else {
                logger.warning("stats merge consumer error", metadata: ["error": "\(error)"])
            }
            return
        }
        guard let task = tasks[message.partition] else { return }
        let value = message.value ?? UnsafeRawBufferPointer(start: nil, count: 0)
        publish(task.merger.add(value: value, offset: message.offset, nowMs: clock.wallMs()), of: task)
    }

    // MARK: - Output

    private func publish(_ outputs: [WindowMergeOutput], of task: MergeTask) {
        for output in outputs {
            switch output {
            case let .stats(record, key, value):
                // Windows are published in start order, each tenant's record in turn.
                if lastWindow?.start != record.windowStart { lastWindow = (record.windowStart, 0, 0) }
                lastWindow!.submissions += record.submissions
                lastWindow!.withErrors += record.submissionsWithErrors
                if lastWindow!.submissions > 0 {
                    metrics.lastWindowErrorRatio = Double(lastWindow!.withErrors) / Double(lastWindow!.submissions)
                }
                if let p50 = record.elapsed.p50, let p95 = record.elapsed.p95, let p99 = record.elapsed.p99 {
                    metrics.lastWindowElapsed = .init(p50: Double(p50), p95: Double(p95), p99: Double(p99))
                }
                produce(key: key, value: value, to: configuration.statsTopic, kind: .stats, windowStart: record.windowStart, task: task)
            case let .alert(alert, key, value):
                metrics.alerts += 1
                let text = String(decoding: value, as: UTF8.self)
                metrics.recentAlerts.append(text)
                if metrics.recentAlerts.count > MetricsSnapshot.recentAlertLimit { metrics.recentAlerts.removeFirst() }
                logger.warning("error-spike alert", metadata: ["alert": "\(text)"])
                produce(key: key, value: value, to: configuration.alertsTopic, kind: .alerts, windowStart: alert.windowStart, task: task)
            case let .latePartial(inputPartition, _, windowStart, publishedThrough):
                if let suppressed = lateLog.admit("late", nowNanos: clock.monotonicNanos()) {
                    logger.notice("late window partial counted, not merged: its window was already published", metadata: [
                        "kafka.input.partition": "\(inputPartition)", "window.start": "\(windowStart)",
                        "published.through": "\(publishedThrough)", "suppressed.since.last": "\(suppressed)",
                    ])
                }
            }
        }
    }

    private func produce(key: [UInt8], value: [UInt8], to topic: String, kind: MetricsSnapshot.Output, windowStart: Int64, task: MergeTask) {
        nextOpaque &+= 1
        let opaque = nextOpaque
        inFlight[opaque] = InFlight(
            partition: task.partition, generation: task.generation, windowStart: windowStart, output: kind,
            producedAtNanos: clock.monotonicNanos())
        while true {
            do {
                try producer.produce(topic: topic, key: key, value: value, opaque: opaque)
                return
            } catch where error.isQueueFull {
                producer.poll(timeout: .milliseconds(10))
            } catch {
                inFlight[opaque] = nil
                if failures.settle(error, output: kind, topic: topic, afterDelivery: false, nowNanos: clock.monotonicNanos(), logger: logger) {
                    task.merger.acknowledge(windowStart: windowStart)
                }
                return
            }
        }
    }

    private func delivered(_ report: DeliveryReport) {
        guard let entry = inFlight.removeValue(forKey: report.opaque) else { return }
        if let error = report.error {
            guard failures.settle(
                error, output: entry.output, topic: report.topic, afterDelivery: true, nowNanos: clock.monotonicNanos(), logger: logger)
            else { return }
        } else {
            metrics.producedByOutput[entry.output, default: 0] += 1
            metrics.deliveryLatency.observe(seconds: Double(clock.monotonicNanos() &- entry.producedAtNanos) / 1e9)
        }
        guard let task = tasks[entry.partition], task.generation == entry.generation else { return }
        task.merger.acknowledge(windowStart: entry.windowStart)
    }

    // MARK: - Commits

    private func commit(_ partitions: [Int32], synchronously: Bool) {
        var offsets: [TopicPartitionOffset] = []
        for partition in partitions {
            guard let task = tasks[partition], let checkpoint = task.commitRequest() else { continue }
            offsets.append(TopicPartitionOffset(
                topic: configuration.statsPartialsTopic, partition: partition, offset: checkpoint.offset, metadata: checkpoint.metadata))
        }
        guard !offsets.isEmpty else { return }
        do {
            if synchronously { try consumer.commit(offsets) } else { try consumer.commitAsync(offsets) }
        } catch {
            for offset in offsets { tasks[offset.partition]?.commitFailed() }
            logger.warning("stats merge offset commit failed", metadata: ["error": "\(error)"])
        }
    }

    private func committed(_ result: CommitResult) {
        guard let error = result.error else { return }
        for offset in result.offsets { tasks[offset.partition]?.commitFailed() }
        logger.warning("stats merge offset commit failed", metadata: ["error": "\(error)"])
    }

    // MARK: - Rebalance

    private func rebalanced(_ event: RebalanceEvent) {
        switch event {
        case .assigned(let partitions):
            guard !shouldStop else { break }
            assign(partitions.filter { $0.topic == configuration.statsPartialsTopic })
        case .revoked(let partitions):
            let stopping = shouldStop
            if stopping { progress.enter("leaving its consumer group: flushing outputs of the revoked partitions") }
            do { try producer.flush(timeout: .milliseconds(configuration.shutdownTimeoutMs)) } catch {
                logger.error("flush on revoke failed", metadata: ["error": "\(error)"])
            }
            if stopping { progress.enter("leaving its consumer group: committing the revoked partitions") }
            if failure == nil { commit(partitions.map(\.partition), synchronously: true) }
            if stopping { progress.enter("leaving its consumer group (unsubscribe, then rd_kafka_consumer_close)") }
            for partition in partitions { close(partition.partition) }
        case .lost(let partitions):
            for partition in partitions { close(partition.partition) }
        }
        publishMetrics()
    }

    private func assign(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        let committed: [TopicPartitionOffset]
        do {
            committed = try consumer.committed(partitions, timeout: .seconds(30))
        } catch {
            fail("cannot read the stats merge stage's committed offsets for \(partitions): \(error)")
            return
        }
        for partition in partitions {
            let entry = committed.first { $0.partition == partition.partition }
            generation &+= 1
            tasks[partition.partition] = MergeTask(
                partition: partition.partition, generation: generation, configuration: mergerConfiguration,
                committedOffset: entry.flatMap { $0.isValid ? $0.offset : nil }, metadata: entry?.metadata)
        }
        logger.info("partials partitions assigned", metadata: ["kafka.partitions": "\(partitions.map(\.partition))"])
    }

    private func close(_ partition: Int32) {
        guard let task = tasks.removeValue(forKey: partition) else { return }
        for (name, value) in Self.counters(of: task.merger.metrics) { closedTaskCounters[name, default: 0] += value }
    }

    // MARK: - Metrics

    /// The merge counters by name (the `event` label of `callback_stream_stats_merge_total`).
    static func counters(of metrics: WindowMergerMetrics) -> [String: UInt64] {
        [
            "partial": UInt64(metrics.partials), "progress_marker": UInt64(metrics.progressMarkers),
            "rejected": UInt64(metrics.rejectedMessages), "duplicate_partial": UInt64(metrics.duplicatePartials),
            "late_partial": UInt64(metrics.latePartials), "complete_window": UInt64(metrics.completeWindows),
            "incomplete_window": UInt64(metrics.incompleteWindows), "window_published_early": UInt64(metrics.windowsPublishedEarly),
        ]
    }

    private func publishMetrics() {
        var counters = closedTaskCounters
        for task in tasks.values {
            for (name, value) in Self.counters(of: task.merger.metrics) { counters[name, default: 0] += value }
        }
        metrics.statsMerge = counters
        metrics.produceErrors = failures.counts
        metrics.openStatsWindows = tasks.values.reduce(0) { $0 + $1.merger.openWindowCount }
        board.publish(metrics, slot: slot)
    }

    // MARK: - Stopping

    private func fail(_ reason: String) {
        guard failure == nil else { return }
        ownFailure = reason
        logger.critical("processor failing", metadata: ["reason": "\(reason)"])
    }

    private func shutDown() {
        progress.enter("flushing outputs")
        do { try producer.flush(timeout: .milliseconds(configuration.shutdownTimeoutMs)) } catch {
            logger.error("stats merge flush at shutdown did not complete", metadata: ["error": "\(error)"])
        }
        progress.enter("committing offsets")
        if failure == nil { commit(tasks.keys.sorted(), synchronously: true) }
        progress.enter("leaving its consumer group (unsubscribe, then rd_kafka_consumer_close)")
        do { try consumer.close() } catch {
            logger.warning("the stats merge stage could not leave its group", metadata: ["error": "\(error)"])
        }
        wakeupTarget.withLock { $0 = nil }
        consumer = nil
        producer = nil
        publishMetrics()
        progress.finish()
    }
}
