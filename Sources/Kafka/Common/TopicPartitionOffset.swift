/// An offset of a topic-partition, with optional commit metadata.
///
/// Used to commit (``KafkaConsumer/commit(_:)``), to report committed offsets
/// (``KafkaConsumer/committed(_:timeout:)``) and positions. As in Kafka, a committed offset
/// is the offset of the *next* record to consume (last processed + 1).
public struct TopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number.
    public var partition: Int32
    /// The offset, or one of the logical offsets ``beginning``, ``end``, ``stored``, ``invalid``.
    public var offset: Int64
    /// Commit metadata: an application string stored with a committed offset
    /// (`rd_kafka_topic_partition_t.metadata`); `nil` for none.
    public var metadata: String?

    /// Logical offset: the start of the partition (`RD_KAFKA_OFFSET_BEGINNING`).
    public static let beginning: Int64 = -2
    /// Logical offset: the end of the partition (`RD_KAFKA_OFFSET_END`).
    public static let end: Int64 = -1
    /// Logical offset: the committed offset (`RD_KAFKA_OFFSET_STORED`).
    public static let stored: Int64 = -1000
    /// Logical offset: no offset (`RD_KAFKA_OFFSET_INVALID`), e.g. nothing committed yet.
    public static let invalid: Int64 = -1001

    /// Creates an offset for `topic`/`partition`.
    public init(topic: String, partition: Int32, offset: Int64, metadata: String? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.metadata = metadata
    }

    /// Creates an offset for `topicPartition`.
    public init(_ topicPartition: TopicPartition, offset: Int64, metadata: String? = nil) {
        self.init(
            topic: topicPartition.topic, partition: topicPartition.partition, offset: offset,
            metadata: metadata)
    }

    /// The topic-partition.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// Whether ``offset`` is a real offset (≥ 0) rather than a logical one.
    public var isValid: Bool { offset >= 0 }

    public var description: String {
        metadata.map { "\(topic)[\(partition)]@\(offset) (\($0.count) B metadata)" }
            ?? "\(topic)[\(partition)]@\(offset)"
    }
}
