import CallbackStreamCore
import Kafka
import Logging

/// Sends a stream thread's outputs (Kafka Streams' `RecordCollector`): routes each topology output
/// to its topic with its headers, remembers in a ``DeliverySlab`` which task and cause each
/// in-flight record belongs to, counts outputs for the metrics, and applies
/// ``ProduceErrorPolicy`` to failures: a per-record failure is counted, logged with a rate limit
/// and settled; any other stops the processor (``failure``) without settling, so the commit
/// never passes that output.
final class RecordCollector<Producer: OutputProducer> {
    /// The output topics (and the input topic, named in dead-letter headers).
    struct Topics: Sendable {
        var input: String
        var summaries: String
        var deadLetters: String
        /// The internal topic of window partials and progress markers (the merge stage's input).
        var partials: String
        /// Partitions of ``partials`` (fixed: a change would split a window between mergers).
        var partialsPartitionCount: Int32
    }

    /// An output whose fate is known: the task of `partition` (assignment `generation`) may
    /// settle `cause` in its ledger.
    struct Settlement: Equatable {
        var partition: Int32
        var generation: UInt32
        var cause: Int64
    }

    private let producer: Producer
    private let topics: Topics
    private let logger: Logger
    private let clock: any ProcessorClock
    // Per-record state: no dynamic exclusivity check (see ``PartitionTopology``'s engine). Only
    // the owning thread touches it, and nothing it calls re-enters a mutation of it.
    @exclusivity(unchecked) private var slab = DeliverySlab()
    /// The headers of every summary, reused: only the `summaryId` value's bytes change.
    @exclusivity(unchecked) private var summaryHeaders = [KafkaHeader(name: "summaryId", value: [UInt8]())]
    @exclusivity(unchecked) private var summaryCounters = SummaryCounters()
    @exclusivity(unchecked) private var lastSampleNanos: UInt64 = 0
    @exclusivity(unchecked) private var failures = ProduceFailures()
    /// The output side of the metrics: produced, delivered and failed records, summaries by
    /// outcome, dead letters by code, alerts, latencies. Read through ``contribute(to:)``.
    @exclusivity(unchecked) private var counts = MetricsSnapshot()
    /// Why the processor must stop (a failure that is not per-record), if one happened.
    var failure: String? { failures.failure }

    init(producer: Producer, topics: Topics, logger: Logger, clock: any ProcessorClock) {
        self.producer = producer
        self.topics = topics
        self.logger = logger
        self.clock = clock
    }

    /// Records produced and not yet reported.
    var inFlight: Int { slab.inFlight }

    // MARK: - Sending

    /// Produces one output of `task`; waits (serving delivery reports) while the producer queue is full.
    func send(_ output: TopologyOutput, from task: StreamTask) {
        let nowNanos = clock.monotonicNanos()
        let kind: MetricsSnapshot.Output
        let topic: String
        let headers: [KafkaHeader]
        switch output.info {
        case let .summary(summaryID, outcome, closeReason, stages, published):
            summaryCounters.count(outcome: outcome, closeReason: closeReason, stages: stages)
            if output.evicted { counts.evictions += 1 }
            guard published else { return }  // notOpened sessions are counted, not published (by default)
            kind = .summaries
            topic = topics.summaries
            // In place (no allocation once the value's capacity fits an id): the array and the
            // value are uniquely referenced again as soon as the previous produce returned.
            summaryHeaders[0].value!.removeAll(keepingCapacity: true)
            summaryHeaders[0].value!.append(contentsOf: summaryID)
            headers = summaryHeaders
            if nowNanos &- lastSampleNanos >= 1_000_000_000 {
                lastSampleNanos = nowNanos
                counts.sampleSummary = String(decoding: output.value, as: UTF8.self)
            }
        case let .deadLetter(code, detail, sourceOffset):
            kind = .dlq
            topic = topics.deadLetters
            var letterHeaders = [
                KafkaHeader(name: "error", value: code.rawValue),
                KafkaHeader(name: "error.detail", value: detail),
                KafkaHeader(name: "source.topic", value: topics.input),
                KafkaHeader(name: "source.partition", value: "\(task.partition)"),
                KafkaHeader(name: "source.offset", value: "\(sourceOffset)"),
            ]
            if let original = output.original {  // the value is a bounded prefix of a larger record
                letterHeaders.append(KafkaHeader(name: "original.size", value: "\(original.size)"))
                letterHeaders.append(KafkaHeader(name: "original.sha256", value: original.sha256))
            }
            headers = letterHeaders
            counts.deadLettersByCode[code.rawValue, default: 0] += 1
            if code == .lateEvent { counts.lateEvents += 1 }
        case let .partial(windowStart):
            let partition = WindowRouting.partialsPartition(windowStart: windowStart, partialsPartitionCount: topics.partialsPartitionCount)
            produce(output, to: topics.partials, partition: partition, headers: [], kind: .partials, task: task, nowNanos: nowNanos)
            return
        case let .progress(completeThrough, since, windowSize):
            // To the mergers of the windows it newly reports complete (WindowRouting).
            WindowRouting.forEachProgressPartition(
                since: since, through: completeThrough, windowSize: windowSize, partialsPartitionCount: topics.partialsPartitionCount
            ) { partition in
                produce(output, to: topics.partials, partition: partition, headers: [], kind: .partials, task: task, nowNanos: nowNanos)
            }
            return
        }
        produce(output, to: topic, partition: nil, headers: headers, kind: kind, task: task, nowNanos: nowNanos)
    }

    /// Produces one record of `task` attributed to the record it is processing.
    private func produce(
        _ output: TopologyOutput, to topic: String, partition: Int32?, headers: [KafkaHeader], kind: MetricsSnapshot.Output,
        task: StreamTask, nowNanos: UInt64
    ) {
        let cause = task.outputProduced()
        let opaque = slab.allocate(.init(
            partition: task.partition, generation: task.generation, cause: cause,
            producedAtNanos: nowNanos, output: kind))
        while true {
            do {
                try producer.produce(
                    topic: topic, partition: partition, key: output.key, value: output.value, headers: headers, timestamp: nil, opaque: opaque)
                return
            } catch where error.isQueueFull {
                producer.poll(timeout: .milliseconds(10))  // bounded: serve reports until there is room
            } catch {
                _ = slab.release(opaque)  // no delivery report follows a refused record
                if failures.settle(
                    error, output: kind, topic: topic, afterDelivery: false, recordBytes: output.value.count,
                    nowNanos: clock.monotonicNanos(), logger: logger) {
                    task.acknowledged(cause: cause)
                }
                return
            }
        }
    }

    // MARK: - Delivery reports

    /// Handles a delivery report; returns the output to settle, or `nil` (unknown report, or a
    /// failure that stops the processor).
    func delivered(_ report: DeliveryReport) -> Settlement? {
        guard let entry = slab.release(report.opaque) else { return nil }
        let settlement = Settlement(partition: entry.partition, generation: entry.generation, cause: entry.cause)
        if let error = report.error {
            // librdkafka already retried what can be retried.
            let settled = failures.settle(
                error, output: entry.output, topic: report.topic, afterDelivery: true, nowNanos: clock.monotonicNanos(), logger: logger)
            return settled ? settlement : nil
        }
        counts.producedByOutput[entry.output, default: 0] += 1
        counts.deliveryLatency.observe(seconds: Double(clock.monotonicNanos() &- entry.producedAtNanos) / 1e9)
        return settlement
    }

    // MARK: - Metrics

    /// Writes the output side of the metrics into `metrics`.
    func contribute(to metrics: inout MetricsSnapshot) {
        summaryCounters.fold(into: &counts)
        metrics.producedByOutput = counts.producedByOutput
        metrics.deadLettersByCode = counts.deadLettersByCode
        metrics.lateEvents = counts.lateEvents
        metrics.evictions = counts.evictions
        metrics.summaries = counts.summaries
        metrics.stageReached = counts.stageReached
        metrics.deliveryLatency = counts.deliveryLatency
        metrics.sampleSummary = counts.sampleSummary
        metrics.produceErrors = failures.counts
    }
}
