internal import CRdKafka

/// One record (or per-partition error) from ``KafkaConsumer/poll(maxMessages:timeout:_:)``,
/// read in place from librdkafka's buffer.
///
/// A view, not a copy: ``key``, ``value`` and ``headers`` point into librdkafka's memory and
/// are valid **only during the poll body call** that received the message. Copy what must
/// outlive it. Do not let the message escape the body.
///
/// When ``error`` is set the message is not a record but a consumer error for
/// ``topic``/``partition`` (e.g. `_PARTITION_EOF` when `enable.partition.eof=true`, which is
/// informational, or `UNKNOWN_TOPIC_OR_PART`, `_AUTO_OFFSET_RESET`, …); ``key`` and ``value``
/// are then `nil`.
public struct ConsumedMessage {
    /// The `rd_kafka_message_t`, borrowed for the duration of the body call.
    private let raw: UnsafeRawPointer

    /// The topic.
    public let topic: String

    init(_ message: UnsafePointer<rd_kafka_message_t>, topic: String) {
        self.raw = UnsafeRawPointer(message)
        self.topic = topic
    }

    private var message: UnsafePointer<rd_kafka_message_t> {
        raw.assumingMemoryBound(to: rd_kafka_message_t.self)
    }

    /// The partition.
    public var partition: Int32 { message.pointee.partition }

    /// The record's offset (for errors: the offset concerned, if any).
    public var offset: Int64 { message.pointee.offset }

    /// The topic-partition.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// The record timestamp in ms since the epoch (create time or log-append time, whichever
    /// the topic uses), or `nil` if the record has none.
    public var timestamp: Int64? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0 ? nil : timestamp
    }

    /// The key bytes, or `nil` for a null key (or an error message). Valid only during the
    /// body call.
    public var key: UnsafeRawBufferPointer? {
        let message = message.pointee
        guard message.err == RD_KAFKA_RESP_ERR_NO_ERROR, let key = message.key else { return nil }
        return UnsafeRawBufferPointer(start: key, count: message.key_len)
    }

    /// The value bytes, or `nil` for a null value (or an error message). Valid only during
    /// the body call.
    public var value: UnsafeRawBufferPointer? {
        let message = message.pointee
        guard message.err == RD_KAFKA_RESP_ERR_NO_ERROR, let payload = message.payload else { return nil }
        return UnsafeRawBufferPointer(start: payload, count: message.len)
    }

    /// The record headers. Valid only during the body call.
    public var headers: ConsumedHeaders { ConsumedHeaders(message) }

    /// `nil` for a record; else the consumer error this message carries, with librdkafka's
    /// detailed text.
    public var error: KafkaError? {
        let err = message.pointee.err
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let text = rd_kafka_message_errstr(message).map { String(cString: $0) }
        let code = KafkaError.Code(err)
        return KafkaError(code: code, message: text == code.description ? nil : text)
    }

    /// Whether this is an end-of-partition notice (`_PARTITION_EOF`), not a record or failure.
    public var isPartitionEOF: Bool {
        message.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF
    }
}
