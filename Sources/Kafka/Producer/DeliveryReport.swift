/// The outcome of one produced message, served by ``KafkaProducer/poll(timeout:)`` and
/// ``KafkaProducer/flush(timeout:)`` to the producer's delivery-report handler.
///
/// Every message that ``KafkaProducer/produce(topic:partition:key:value:headers:timestamp:opaque:)``
/// accepted gets exactly one report: success (``error`` is `nil`, ``offset`` is the record's
/// offset) or final failure after librdkafka's own retries (``error`` set).
public struct DeliveryReport: Sendable, Hashable {
    /// The topic the message was produced to.
    public let topic: String
    /// The partition it went to (the partitioner's choice when none was given), or -1 if it
    /// failed before partitioning.
    public let partition: Int32
    /// The record's offset on success; -1 (unknown) on failure.
    public let offset: Int64
    /// `nil` on success, else why the message was not delivered.
    public let error: KafkaError?
    /// The caller's per-message value given to `produce`.
    public let opaque: UInt64

    /// Creates a report (normally only the producer does).
    public init(topic: String, partition: Int32, offset: Int64, error: KafkaError?, opaque: UInt64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.error = error
        self.opaque = opaque
    }
}
