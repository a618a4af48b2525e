internal import CRdKafka

/// A rebalance callback whose handling ``KafkaConsumer`` deferred until the messages
/// fetched before it were handed to the application (see `KafkaConsumer.poll`).
///
/// Not `Sendable`: created and consumed on the polling thread within one poll call.
final class PendingRebalance {
    /// `RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS`, `…__REVOKE_PARTITIONS` or another error.
    let err: rd_kafka_resp_err_t
    /// A copy of the callback's partition list (the original is only valid in the callback).
    let partitions: RDKafkaTopicPartitionList?
    /// `rd_kafka_assignment_lost` as it was when the callback ran.
    let lost: Bool

    init(err: rd_kafka_resp_err_t, partitions: RDKafkaTopicPartitionList?, lost: Bool) {
        self.err = err
        self.partitions = partitions
        self.lost = lost
    }
}
