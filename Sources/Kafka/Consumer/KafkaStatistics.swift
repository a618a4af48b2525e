import Foundation

/// One librdkafka statistics report (`statistics.interval.ms`), served on the polling thread
/// to a client's statistics handler.
///
/// ``json`` is librdkafka's document as is (see its `STATISTICS.md`); ``partitions()`` decodes
/// the per-partition figures a stream processor watches, notably consumer lag. Reports come
/// every `statistics.interval.ms` (off by default), so decoding here is not on a hot path.
public struct KafkaStatistics: Sendable, Hashable {
    /// Per-partition figures from the report.
    public struct Partition: Sendable, Hashable {
        /// The topic-partition.
        public let topicPartition: TopicPartition
        /// `consumer_lag`: high watermark − committed offset (or −1 if unknown).
        public let consumerLag: Int64
        /// `consumer_lag_stored`: high watermark − stored offset (or −1 if unknown).
        public let consumerLagStored: Int64
        /// `hi_offset`: the partition's high watermark (or −1).
        public let highWatermark: Int64
        /// `committed_offset`: last committed offset (or −1001).
        public let committedOffset: Int64
        /// `msgq_cnt` + `xmit_msgq_cnt`: messages waiting to be sent (producer).
        public let queuedMessages: Int64
    }

    /// The raw JSON document.
    public let json: String

    /// Wraps a JSON report.
    public init(json: String) {
        self.json = json
    }

    /// Decodes the per-partition figures (internal partition -1 excluded).
    ///
    /// - Throws: `DecodingError` if the document is not librdkafka's statistics shape.
    public func partitions() throws -> [Partition] {
        let document = try JSONDecoder().decode(Document.self, from: Data(json.utf8))
        var result: [Partition] = []
        for (topicName, topic) in document.topics ?? [:] {
            for (_, partition) in topic.partitions ?? [:] where partition.partition >= 0 {
                result.append(
                    Partition(
                        topicPartition: TopicPartition(topic: topicName, partition: partition.partition),
                        consumerLag: partition.consumer_lag ?? -1,
                        consumerLagStored: partition.consumer_lag_stored ?? -1,
                        highWatermark: partition.hi_offset ?? -1,
                        committedOffset: partition.committed_offset ?? -1001,
                        queuedMessages: (partition.msgq_cnt ?? 0) + (partition.xmit_msgq_cnt ?? 0)))
            }
        }
        return result.sorted { $0.topicPartition < $1.topicPartition }
    }

    /// Consumer lag per partition (only partitions whose lag is known).
    public func consumerLag() throws -> [TopicPartition: Int64] {
        var lag: [TopicPartition: Int64] = [:]
        for partition in try partitions() where partition.consumerLag >= 0 {
            lag[partition.topicPartition] = partition.consumerLag
        }
        return lag
    }

    // The subset of librdkafka's STATISTICS.md schema decoded here (snake_case as emitted).
    private struct Document: Decodable {
        let topics: [String: Topic]?
    }

    private struct Topic: Decodable {
        let partitions: [String: PartitionDocument]?
    }

    private struct PartitionDocument: Decodable {
        let partition: Int32
        let consumer_lag: Int64?
        let consumer_lag_stored: Int64?
        let hi_offset: Int64?
        let committed_offset: Int64?
        let msgq_cnt: Int64?
        let xmit_msgq_cnt: Int64?
    }
}
