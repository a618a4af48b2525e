internal import CRdKafka
import Logging

extension KafkaConsumer {
    /// `rebalance_cb`: runs on the polling thread inside a librdkafka call that serves the
    /// consumer queue (`poll`, `close`, `deinit`).
    ///
    /// Inside ``poll(maxMessages:timeout:_:)`` the event is deferred: the partition list is
    /// copied, librdkafka is told to return (`rd_kafka_yield`) and `poll` hands the messages
    /// collected so far to its body before ``servePendingRebalances()`` tells the handler and
    /// (un)assigns. Elsewhere (``close()``) it is handled at once.
    static func rebalanceCallback(
        _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
        _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        guard let rk else { return }
        guard let context = RDKafkaClientContext.of(rk) else {
            _ = rd_kafka_assign(rk, nil)
            return
        }
        let lost = rd_kafka_assignment_lost(rk) != 0
        if context.deferringRebalance {
            let copy = partitions.flatMap { rd_kafka_topic_partition_list_copy($0) }
                .map { RDKafkaTopicPartitionList(adopting: $0) }
            context.pendingRebalances.append(PendingRebalance(err: err, partitions: copy, lost: lost))
            rd_kafka_yield(rk)
            return
        }
        let borrowed = partitions.map { RDKafkaTopicPartitionList(borrowing: $0) }
        handleRebalance(rk, context, PendingRebalance(err: err, partitions: borrowed, lost: lost))
    }

    /// Handles the rebalances deferred during the last batch, in order.
    func servePendingRebalances() {
        while !context.pendingRebalances.isEmpty {
            let pending = context.pendingRebalances.removeFirst()
            Self.handleRebalance(handle, context, pending)
        }
    }

    /// Tells the handler and changes the assignment: assign first then tell `assigned`;
    /// tell `revoked`/`lost` first then unassign.
    private static func handleRebalance(
        _ rk: OpaquePointer, _ context: RDKafkaClientContext, _ event: PendingRebalance
    ) {
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
        let partitions = event.partitions?.topicPartitions ?? []
        let consumer = context.consumer
        let handler = context.rebalanceHandler
        var failure: KafkaError?
        switch event.err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            context.receivedAssignment.store(true, ordering: .releasing)
            if cooperative {
                failure = rd_kafka_incremental_assign(rk, event.partitions?.pointer).map(KafkaError.consuming)
            } else {
                failure = KafkaError.check(rd_kafka_assign(rk, event.partitions?.pointer))
            }
            context.logger.debug(
                "partitions assigned",
                metadata: [
                    "kafka.partitions": "\(partitions.map(\.description).joined(separator: ","))",
                    "kafka.rebalance.protocol": "\(cooperative ? "cooperative" : "eager")",
                ])
            if !partitions.isEmpty, let consumer, let handler {
                handler(consumer, .assigned(partitions))
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            context.logger.debug(
                event.lost ? "partitions lost" : "partitions revoked",
                metadata: [
                    "kafka.partitions": "\(partitions.map(\.description).joined(separator: ","))",
                    "kafka.rebalance.protocol": "\(cooperative ? "cooperative" : "eager")",
                ])
            if !partitions.isEmpty, let consumer, let handler {
                handler(consumer, event.lost ? .lost(partitions) : .revoked(partitions))
            }
            if cooperative {
                failure = rd_kafka_incremental_unassign(rk, event.partitions?.pointer).map(KafkaError.consuming)
            } else {
                failure = KafkaError.check(rd_kafka_assign(rk, nil))
            }
        default:
            // A rebalance error: librdkafka's advice is to drop the whole assignment.
            context.logger.error(
                "rebalance failed", metadata: ["kafka.error.name": "\(KafkaError(event.err).name)"])
            var current: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            if rd_kafka_assignment(rk, &current) == RD_KAFKA_RESP_ERR_NO_ERROR, let current {
                let assigned = RDKafkaTopicPartitionList(adopting: current).topicPartitions
                if !assigned.isEmpty, let consumer, let handler {
                    handler(consumer, .lost(assigned))
                }
            }
            failure = KafkaError.check(rd_kafka_assign(rk, nil))
        }
        if let failure {
            context.logger.error(
                "changing the assignment failed",
                metadata: ["kafka.error.name": "\(failure.name)", "kafka.error.message": "\(failure.message)"])
        }
    }

    /// `offset_commit_cb`: results of async commits, served on the polling thread.
    static func commitCallback(
        _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
        _ offsets: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        guard let context = RDKafkaClientContext.of(rk), context.consumer != nil,
            let handler = context.commitHandler
        else { return }
        let list = offsets.map { RDKafkaTopicPartitionList(borrowing: $0) }
        let error = err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET ? nil : KafkaError(err)
        handler(CommitResult(error: error, offsets: list?.offsets ?? [], partitionErrors: list?.errors ?? [:]))
    }
}
