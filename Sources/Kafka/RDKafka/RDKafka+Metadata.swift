internal import CRdKafka

extension RDKafka {
    /// The number of partitions of `topic` as the cluster reports it (`rd_kafka_metadata` for
    /// that topic only). Blocking up to `timeout`.
    ///
    /// - Throws: ``KafkaError``: the request's error, or the topic's own (`UNKNOWN_TOPIC_OR_PART`
    ///   when it does not exist and the cluster does not create it on a metadata request).
    static func partitionCount(_ handle: OpaquePointer, topic: String, timeout: Duration) throws(KafkaError) -> Int {
        guard let topicHandle = rd_kafka_topic_new(handle, topic, nil) else {
            throw KafkaError(code: .invalidArgument, message: "cannot create a handle for topic '\(topic)'")
        }
        defer { rd_kafka_topic_destroy(topicHandle) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        if let error = KafkaError.check(rd_kafka_metadata(handle, 0, topicHandle, &metadata, milliseconds(timeout))) {
            throw error
        }
        guard let metadata else { throw KafkaError(code: .fail, message: "no metadata for topic '\(topic)'") }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0, let topics = metadata.pointee.topics else {
            throw KafkaError(code: .unknownTopicOrPartition, message: "topic '\(topic)' is not in the cluster's metadata")
        }
        if let error = KafkaError.check(topics[0].err) { throw error }
        return Int(topics[0].partition_cnt)
    }
}

extension KafkaConsumer {
    /// The number of partitions of `topic` (a metadata request). Blocking up to `timeout`.
    public func partitionCount(of topic: String, timeout: Duration) throws(KafkaError) -> Int {
        try RDKafka.partitionCount(handle, topic: topic, timeout: timeout)
    }
}

extension KafkaProducer {
    /// The number of partitions of `topic` (a metadata request). Blocking up to `timeout`.
    public func partitionCount(of topic: String, timeout: Duration) throws(KafkaError) -> Int {
        try RDKafka.partitionCount(rawHandle, topic: topic, timeout: timeout)
    }
}
