import Kafka

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
