internal import CRdKafka
import Logging
import Synchronization

/// The Swift state librdkafka callbacks reach through the handle's opaque pointer
/// (`rd_kafka_conf_set_opaque` / `rd_kafka_opaque`).
///
/// `@unchecked Sendable` because callbacks run on other threads: the logger is `Sendable`
/// and used from librdkafka's internal threads (`log_cb`, `error_cb`); the handlers are set
/// once at creation and only ever called on the thread that serves the handle's queue
/// (poll/flush/consume/close), which the owning client documents as a single thread at a
/// time. ``consumer`` is written once, right after the consumer is created and before it
/// can be polled.
final class RDKafkaClientContext: @unchecked Sendable {
    let logger: Logger
    let topicNames = TopicNameCache()
    let deliveryReportHandler: ((DeliveryReport) -> Void)?
    let rebalanceHandler: ((KafkaConsumer, RebalanceEvent) -> Void)?
    let commitHandler: ((CommitResult) -> Void)?
    let statisticsHandler: ((KafkaStatistics) -> Void)?
    /// The consumer that owns the handle; `nil` while it deinitialises, so handlers are
    /// not called from `deinit`.
    weak var consumer: KafkaConsumer?
    /// Set by `KafkaConsumer.poll` while it collects a batch: rebalance callbacks are then
    /// queued in ``pendingRebalances`` and handled after the batch was delivered.
    var deferringRebalance = false
    /// Rebalances deferred during the current poll, in callback order.
    var pendingRebalances: [PendingRebalance] = []
    /// Whether the consumer was ever told an assignment (set on the polling thread, read in
    /// `deinit` and by `KafkaConsumer.hasReceivedAssignment` from any thread): see
    /// `KafkaConsumer.destroyWouldAbort`.
    let receivedAssignment = Atomic(false)

    init(
        logger: Logger,
        deliveryReportHandler: ((DeliveryReport) -> Void)? = nil,
        rebalanceHandler: ((KafkaConsumer, RebalanceEvent) -> Void)? = nil,
        commitHandler: ((CommitResult) -> Void)? = nil,
        statisticsHandler: ((KafkaStatistics) -> Void)? = nil
    ) {
        self.logger = logger
        self.deliveryReportHandler = deliveryReportHandler
        self.rebalanceHandler = rebalanceHandler
        self.commitHandler = commitHandler
        self.statisticsHandler = statisticsHandler
    }

    /// The context of a handle created by ``RDKafka/makeHandle(type:config:context:)``.
    static func of(_ rk: OpaquePointer?) -> RDKafkaClientContext? {
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return nil }
        return Unmanaged<RDKafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}
