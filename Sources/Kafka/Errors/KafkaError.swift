internal import CRdKafka

/// An error reported by librdkafka (or by this module on its behalf).
///
/// Every failure in the `Kafka` module is a `KafkaError`: a librdkafka error ``code``
/// (`rd_kafka_resp_err_t`), its librdkafka ``name`` (`rd_kafka_err2name`, e.g. `_QUEUE_FULL`,
/// `MSG_SIZE_TOO_LARGE`) and a human ``message`` (librdkafka's detailed text when it gave one,
/// else `rd_kafka_err2str`). ``isRetriable`` says whether trying the same operation again may
/// succeed, ``isFatal`` whether the client instance is unusable and must be recreated.
///
/// Creating a `KafkaError` does not allocate unless librdkafka supplied a detailed text, so
/// hot paths (e.g. `_QUEUE_FULL` from ``KafkaProducer/produce(topic:partition:key:value:headers:timestamp:opaque:)``)
/// can throw it cheaply.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The librdkafka error code.
    public let code: Code
    /// Whether the operation may succeed if tried again (librdkafka's own verdict when it
    /// gave one, else a classification of the Kafka protocol's retriable errors).
    public let isRetriable: Bool
    /// Whether the client is in a fatal state (e.g. an idempotent producer lost its
    /// guarantees) and must be recreated.
    public let isFatal: Bool
    /// librdkafka's detailed text, when it differs from the generic code description.
    private let detail: String?

    /// Creates an error for `code`, optionally with a detailed text that replaces the
    /// generic description, and explicit retriable/fatal flags.
    public init(code: Code, message: String? = nil, isRetriable: Bool? = nil, isFatal: Bool = false) {
        self.code = code
        self.detail = message
        self.isRetriable = isRetriable ?? code.isRetriableByDefault
        self.isFatal = isFatal || code == .fatal
    }

    /// The librdkafka name of the code (`rd_kafka_err2name`), e.g. `_QUEUE_FULL` or
    /// `NOT_ENOUGH_REPLICAS`.
    public var name: String { code.name }

    /// The human-readable text: librdkafka's detailed message if there was one, else its
    /// generic description of the code (`rd_kafka_err2str`).
    public var message: String { detail ?? code.description }

    /// `true` for `_QUEUE_FULL`: the producer's local queue is full; serve delivery reports
    /// (``KafkaProducer/poll(timeout:)``) and try again.
    public var isQueueFull: Bool { code == .queueFull }

    public var description: String { "\(name): \(message)" }
}

extension KafkaError {
    /// Wraps a `rd_kafka_resp_err_t`, with an optional detailed text.
    init(_ err: rd_kafka_resp_err_t, message: String? = nil) {
        self.init(code: Code(err), message: message)
    }

    /// Wraps and destroys a `rd_kafka_error_t`, keeping its string and its own
    /// retriable/fatal verdicts.
    static func consuming(_ error: OpaquePointer) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let code = Code(rd_kafka_error_code(error))
        let text = rd_kafka_error_string(error).map { String(cString: $0) }
        return KafkaError(
            code: code,
            message: text == code.description ? nil : text,
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || code.isRetriableByDefault,
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    /// `nil` for `RD_KAFKA_RESP_ERR_NO_ERROR`, else the error.
    static func check(_ err: rd_kafka_resp_err_t) -> KafkaError? {
        err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(err)
    }
}
