internal import CRdKafka

extension KafkaConsumer {
    /// Commits `offsets` (each the *next* offset to consume, with optional metadata) and
    /// waits for the result (`rd_kafka_commit_queue` without a queue). Blocking: call it on
    /// the polling thread, e.g. from the rebalance handler on revoke.
    ///
    /// An empty list commits nothing.
    ///
    /// - Throws: ``KafkaError``: the request's error, or the first partition's error.
    public func commit(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try commitSync(RDKafkaTopicPartitionList(offsets))
    }

    /// Commits the offsets stored with ``store(_:)`` for the current assignment and waits for
    /// the result. Nothing stored is not an error.
    public func commitStored() throws(KafkaError) {
        try commitSync(nil)
    }

    /// Sends a commit of `offsets` (with metadata) without waiting; the result goes to the
    /// commit handler during a later poll.
    ///
    /// - Throws: ``KafkaError`` only if the commit could not be sent at all.
    public func commitAsync(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(offsets)
        if let error = KafkaError.check(rd_kafka_commit(handle, list.pointer, 1)) {
            throw error
        }
    }

    /// Sends a commit of the stored offsets without waiting (result to the commit handler).
    public func commitStoredAsync() throws(KafkaError) {
        let err = rd_kafka_commit(handle, nil, 1)
        if err != RD_KAFKA_RESP_ERR__NO_OFFSET, let error = KafkaError.check(err) {
            throw error
        }
    }

    /// Stores `offsets` (next offset to consume) for a later ``commitStored()``
    /// (`rd_kafka_offsets_store`). Only for assigned partitions. librdkafka 2.0.2 does not
    /// keep metadata here: to commit metadata use ``commit(_:)``.
    ///
    /// - Throws: ``KafkaError``: the first partition's error (e.g. `_STATE` if not assigned).
    public func store(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(offsets)
        let err = rd_kafka_offsets_store(handle, list.pointer)
        if let error = list.firstError ?? KafkaError.check(err) {
            throw error
        }
    }

    /// The group's committed offsets (and metadata) for `partitions`, asked from the group
    /// coordinator (`rd_kafka_committed`). A partition with no commit has offset
    /// ``TopicPartitionOffset/invalid``. Blocking up to `timeout`.
    public func committed(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartitionOffset] {
        guard !partitions.isEmpty else { return [] }
        let list = RDKafkaTopicPartitionList(partitions)
        if let error = KafkaError.check(rd_kafka_committed(handle, list.pointer, RDKafka.milliseconds(timeout)))
            ?? list.firstError
        {
            throw error
        }
        return list.offsets
    }

    /// The fetch positions (next offset the application will get) of `partitions`
    /// (`rd_kafka_position`, local, non-blocking); ``TopicPartitionOffset/invalid`` if none yet.
    public func position(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartitionOffset] {
        guard !partitions.isEmpty else { return [] }
        let list = RDKafkaTopicPartitionList(partitions)
        if let error = KafkaError.check(rd_kafka_position(handle, list.pointer)) {
            throw error
        }
        return list.offsets.map { TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: $0.offset) }
    }

    /// Moves the fetch positions of assigned `offsets`' partitions (`rd_kafka_seek_partitions`).
    /// Blocking up to `timeout`.
    public func seek(_ offsets: [TopicPartitionOffset], timeout: Duration) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(offsets)
        if let error = rd_kafka_seek_partitions(handle, list.pointer, RDKafka.milliseconds(timeout)) {
            throw KafkaError.consuming(error)
        }
        if let error = list.firstError {
            throw error
        }
    }

    private func commitSync(_ list: RDKafkaTopicPartitionList?) throws(KafkaError) {
        var outcome = SyncCommitOutcome()
        let err = withUnsafeMutablePointer(to: &outcome) { pointer in
            rd_kafka_commit_queue(handle, list?.pointer, nil, { _, err, offsets, opaque in
                guard let opaque else { return }
                let outcome = opaque.assumingMemoryBound(to: SyncCommitOutcome.self)
                outcome.pointee.err = err
                outcome.pointee.partitionError = offsets.flatMap { RDKafkaTopicPartitionList(borrowing: $0).firstError }
            }, UnsafeMutableRawPointer(pointer))
        }
        if let error = outcome.partitionError {
            throw error
        }
        for code in [err, outcome.err] where code != RD_KAFKA_RESP_ERR__NO_OFFSET {
            if let error = KafkaError.check(code) { throw error }
        }
    }
}

/// What the callback of a synchronous `rd_kafka_commit_queue` saw.
private struct SyncCommitOutcome {
    var err = RD_KAFKA_RESP_ERR_NO_ERROR
    var partitionError: KafkaError?
}
