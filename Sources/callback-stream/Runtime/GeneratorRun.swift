import CallbackTraffic
import Foundation
import Kafka
import Logging
import Synchronization

/// Produces generated traffic to Kafka at a given rate, on a dedicated thread.
///
/// Shared by `generate` and `demo`. Pacing uses the monotonic clock: the producer sleeps only
/// until the next record is due (rate limiting, not synchronisation).
enum GeneratorRun {
    struct Options: Sendable {
        var bootstrapServers: String
        var topic: String
        var rate: Double
        var malformed: Int
        var seed: UInt64
        var startTimeMs: Int64
        var librdkafka: [String]
        /// Produce each record when the wall clock reaches its event time (the demo), instead of `rate`.
        var paceByEventTime = false
    }

    struct Result: Sendable {
        var records = 0
        var malformed = 0
        var failed = 0
        var seconds = 0.0
    }

    /// Progress visible to other threads (the demo's live view).
    final class Progress: Sendable {
        let produced = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        init() {}
    }

    static func produce(
        generator: TrafficGenerator, options: Options, logger: Logger, progress: Progress = Progress()
    ) async throws -> Result {
        let thread = KafkaThread(name: "callback-stream-generate")
        defer { thread.shutdown() }
        return try await thread.run {
            try produceBlocking(generator: generator, options: options, logger: logger, progress: progress)
        }
    }

    private static func produceBlocking(
        generator: TrafficGenerator, options: Options, logger: Logger, progress: Progress
    ) throws -> Result {
        var configuration = KafkaConfiguration()
        try configuration.set("bootstrap.servers", options.bootstrapServers)
        try configuration.set("linger.ms", "5")
        // One Produce request in flight per broker connection: the ground truth is only true if
        // every record reported delivered is in the topic. With pipelined requests, when one fails
        // with a retriable error (e.g. NOT_ENOUGH_REPLICAS) and a later one for the same partition
        // succeeds, librdkafka acknowledges the failed one's messages implicitly, trusting that the
        // broker refused the later batch had the earlier one been missing (the idempotent sequence
        // check). librdkafka's mock cluster does not check the sequence numbers of a
        // non-transactional producer, so those messages were reported delivered but never written
        // (RELIABILITY.md, finding 5). Retried batches now go out before anything newer.
        try configuration.set("max.in.flight.requests.per.connection", "1")
        for entry in options.librdkafka {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            try configuration.set(String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
        }
        let failed = Mutex(0)
        let producer = try KafkaProducer(configuration: configuration, logger: logger) { report in
            if let error = report.error {
                failed.withLock { $0 += 1 }
                logger.error("delivery failed", metadata: ["error": "\(error)"])
            }
        }

        var result = Result()
        let started = DispatchTime.now().uptimeNanoseconds
        let interval = options.rate > 0 ? 1e9 / options.rate : 0
        var malformedRecords = MalformedRecordGenerator(
            seed: options.seed, count: options.malformed, startTimeMs: options.startTimeMs
        ).makeIterator()
        // Spread malformed records evenly through the valid ones.
        let expectedRecords = max(1, generator.configuration.interactions * 5)
        let malformedEvery = options.malformed > 0 ? max(1, expectedRecords / options.malformed) : Int.max

        func send(_ record: GeneratedRecord, paced: Bool = true) throws {
            if paced, options.paceByEventTime {
                let wait = record.timestampMs - Int64(Date().timeIntervalSince1970 * 1000)
                if wait > 0 {
                    producer.poll(timeout: .zero)
                    usleep(UInt32(min(wait, 1_000) * 1_000))
                }
            } else if paced, interval > 0 {
                let due = started + UInt64(Double(result.records) * interval)
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { usleep(UInt32(min((due - now) / 1_000, 1_000_000))) }
            }
            while true {
                do {
                    try record.key.withUnsafeBytes { key in
                        try record.value.withUnsafeBytes { value in
                            try producer.produce(topic: options.topic, key: key, value: value, timestamp: record.timestampMs, opaque: 0)
                        }
                    }
                    break
                } catch let error as KafkaError where error.isQueueFull {
                    producer.poll(timeout: .milliseconds(10))
                }
            }
            producer.poll(timeout: .zero)
            result.records += 1
            progress.produced.store(result.records, ordering: .relaxed)
        }

        for record in generator {
            if progress.stop.load(ordering: .relaxed) { break }
            try send(record)
            if result.records % malformedEvery == 0, let bad = malformedRecords.next() {
                try send(bad.record, paced: false)
                result.malformed += 1
            }
        }
        while let bad = malformedRecords.next(), !progress.stop.load(ordering: .relaxed) {
            try send(bad.record)
            result.malformed += 1
        }
        try producer.flush(timeout: .seconds(60))
        result.failed = failed.withLock { $0 }
        result.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return result
    }
}
