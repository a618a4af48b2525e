internal import CRdKafka

extension KafkaConsumer {
    /// The partitions currently assigned to this consumer (`rd_kafka_assignment`), sorted.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        if let error = KafkaError.check(rd_kafka_assignment(handle, &pointer)) {
            throw error
        }
        guard let pointer else { return [] }
        return RDKafkaTopicPartitionList(adopting: pointer).topicPartitions.sorted()
    }

    /// Stops fetching `partitions` (`rd_kafka_pause_partitions`); their position is kept.
    /// Records already fetched may still be delivered by the current or next poll.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(partitions)
        if let error = KafkaError.check(rd_kafka_pause_partitions(handle, list.pointer)) ?? list.firstError {
            throw error
        }
    }

    /// Resumes fetching paused `partitions` (`rd_kafka_resume_partitions`).
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(partitions)
        if let error = KafkaError.check(rd_kafka_resume_partitions(handle, list.pointer)) ?? list.firstError {
            throw error
        }
    }

    /// Asks the partition leader for the low and high watermarks
    /// (`rd_kafka_query_watermark_offsets`). Blocking up to `timeout`.
    public func queryWatermarkOffsets(_ partition: TopicPartition, timeout: Duration) throws(KafkaError) -> WatermarkOffsets {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_query_watermark_offsets(
            handle, partition.topic, partition.partition, &low, &high, RDKafka.milliseconds(timeout))
        if let error = KafkaError.check(err) {
            throw error
        }
        return WatermarkOffsets(low: low, high: high)
    }

    /// The last known watermarks without asking the broker (`rd_kafka_get_watermark_offsets`):
    /// the high one is updated by every fetch response, the low one only with statistics
    /// enabled (else ``TopicPartitionOffset/invalid``). `nil` when nothing is known yet.
    public func cachedWatermarkOffsets(_ partition: TopicPartition) -> WatermarkOffsets? {
        var low: Int64 = TopicPartitionOffset.invalid
        var high: Int64 = TopicPartitionOffset.invalid
        let err = rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, low >= 0 || high >= 0 else { return nil }
        return WatermarkOffsets(low: low, high: high)
    }

    /// Consumer lag of `partition` without blocking: cached high watermark − fetch position
    /// (records the broker has that this consumer has not yet received). `nil` if either is
    /// unknown yet (nothing fetched).
    public func lag(_ partition: TopicPartition) -> Int64? {
        guard let high = cachedWatermarkOffsets(partition)?.high, high >= 0,
            let position = try? self.position([partition]).first?.offset, position >= 0
        else { return nil }
        return max(0, high - position)
    }

    /// ``lag(_:)`` for every assigned partition whose lag is known.
    public func lags() -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for partition in (try? assignment()) ?? [] {
            if let lag = lag(partition) { result[partition] = lag }
        }
        return result
    }
}
