/// The outcome of an asynchronous commit (``KafkaConsumer/commitAsync(_:)``), served to the
/// consumer's commit handler during a later poll.
public struct CommitResult: Sendable, Hashable {
    /// The request-level error, or `nil` if the request succeeded (partitions may still
    /// have failed individually, see ``partitionErrors``). `_NO_OFFSET` (nothing to commit)
    /// is reported as success.
    public let error: KafkaError?
    /// The offsets that were committed (or attempted), with their metadata.
    public let offsets: [TopicPartitionOffset]
    /// Per-partition failures.
    public let partitionErrors: [TopicPartition: KafkaError]

    /// Whether the whole commit succeeded.
    public var succeeded: Bool { error == nil && partitionErrors.isEmpty }

    /// Creates a result (normally only the consumer does).
    public init(error: KafkaError?, offsets: [TopicPartitionOffset], partitionErrors: [TopicPartition: KafkaError]) {
        self.error = error
        self.offsets = offsets
        self.partitionErrors = partitionErrors
    }
}
