import Kafka
import Logging

/// Which failures to produce an output stop the processor (Kafka Streams'
/// `ProductionExceptionHandler`, decided once here).
///
/// A *record-level* failure concerns only that record — the broker or librdkafka refused its
/// size or format (`MSG_SIZE_TOO_LARGE`, `RECORD_LIST_TOO_LARGE`, `INVALID_RECORD`,
/// `INVALID_MSG`, `_BAD_MSG`): producing it again can never succeed, and stopping would turn one
/// record into a crash loop. It is counted by output and code, logged with a rate limit, and
/// settled so that the commit moves on. Every other permanent failure (authorization, unknown
/// topic, a fatal idempotence error, a timeout after librdkafka's own retries) concerns the
/// output as a whole: the processor stops without committing past the output, so a restart
/// produces it again.
enum ProduceErrorPolicy {
    enum Verdict: Equatable {
        case skipRecord
        case stop
    }

    static func verdict(for error: KafkaError) -> Verdict {
        if error.isFatal { return .stop }
        return recordLevelCodes.contains(error.code.rawValue) ? .skipRecord : .stop
    }

    private static let recordLevelCodes: Set<Int32> = [
        KafkaError.Code.messageSizeTooLarge.rawValue,
        KafkaError.Code.invalidRecord.rawValue,
        KafkaError.Code(name: "RECORD_LIST_TOO_LARGE")?.rawValue ?? 18,
        KafkaError.Code(name: "INVALID_MSG")?.rawValue ?? 2,
        KafkaError.Code(name: "_BAD_MSG")?.rawValue ?? -199,
    ]
}

/// A producer's failures under ``ProduceErrorPolicy``: per-record ones counted by output and code
/// and logged at most once per output, code and 10 s; the first other one kept as the reason the
/// processor stops. Shared by the ``RecordCollector`` and the ``StatsMergeThread``.
struct ProduceFailures {
    /// Per-record failures, by output and librdkafka error name.
    private(set) var counts: [MetricsSnapshot.ProduceErrorKey: UInt64] = [:]
    /// Why the processor must stop (a failure that is not per-record), if one happened.
    private(set) var failure: String?
    private var log = RateLimitedLog(intervalNanos: 10_000_000_000)

    /// Applies the policy to `error` of a record for `output` on `topic`.
    ///
    /// - Parameters:
    ///   - afterDelivery: the failure came in a delivery report (librdkafka already retried).
    ///   - recordBytes: the record's size, when known (for the log line).
    /// - Returns: `true` when the record is settled (counted and skipped), `false` when the
    ///   processor must stop without settling it.
    mutating func settle(
        _ error: KafkaError, output: MetricsSnapshot.Output, topic: String, afterDelivery: Bool, recordBytes: Int? = nil,
        nowNanos: UInt64, logger: Logger
    ) -> Bool {
        switch ProduceErrorPolicy.verdict(for: error) {
        case .skipRecord:
            counts[.init(output: output.rawValue, code: error.name), default: 0] += 1
            if let suppressed = log.admit("\(output.rawValue)/\(error.name)", nowNanos: nowNanos) {
                var metadata: Logger.Metadata = [
                    "kafka.topic": "\(topic)", "error": "\(error)", "suppressed.since.last": "\(suppressed)",
                ]
                if let recordBytes { metadata["record.bytes"] = "\(recordBytes)" }
                logger.error("output record refused; counted and skipped", metadata: metadata)
            }
            return true
        case .stop:
            if failure == nil {
                let reason = afterDelivery
                    ? "delivery to '\(topic)' failed permanently: \(error)"
                    : "cannot produce to '\(topic)': \(error)"
                failure = reason
                logger.critical("processor failing", metadata: ["reason": "\(reason)"])
            }
            return false
        }
    }
}
