internal import CRdKafka
import Logging

/// librdkafka's built-in mock Kafka cluster: N brokers listening on loopback TCP, speaking the
/// Kafka protocol, for tests and the `callback-stream broker` command.
///
/// Real clients (this module's producer/consumer, `kcat`, other processes) connect to
/// ``bootstrapServers``. The cluster supports produce/fetch, consumer groups with commits,
/// the idempotent producer, headers and compression; it keeps everything in memory, keeps
/// only about the newest 5 MiB per partition, and does not implement the Admin API (create
/// topics with ``createTopic(_:partitions:replicationFactor:)``; unknown topics named in a
/// metadata request are auto-created with 4 partitions). Faults can be injected: brokers down
/// or up, round-trip time, errors returned for the next requests of a type.
///
/// The cluster lives until the `MockCluster` is released. All methods are thread-safe and
/// return quickly (they hand a command to the mock's own thread and wait for it).
public final class MockCluster: @unchecked Sendable {
    // @unchecked Sendable: the handle and cluster pointers are immutable; librdkafka's mock
    // API is thread-safe (commands are executed on the mock's thread).

    private let handle: OpaquePointer
    private let cluster: OpaquePointer
    private let context: RDKafkaClientContext

    /// The brokers' `host:port` list, for `bootstrap.servers`.
    public let bootstrapServers: String

    /// The number of brokers; their ids are `1...brokerCount`.
    public let brokerCount: Int

    /// Starts a cluster of `brokers` brokers (ids 1…N) on loopback ports chosen by the system.
    ///
    /// - Parameters:
    ///   - brokers: at least 1.
    ///   - logger: receives the mock's logs.
    /// - Throws: ``KafkaError`` if the cluster cannot be started.
    public init(brokers: Int = 1, logger: Logger = Logger(label: "kafka.mock")) throws(KafkaError) {
        guard brokers >= 1 else {
            throw KafkaError(code: .invalidArgument, message: "a mock cluster needs at least one broker")
        }
        let context = RDKafkaClientContext(logger: logger)
        let config = RDKafkaConfig()
        // The handle only hosts the cluster; keep it quiet about having no bootstrap.servers.
        try config.set("log_level", "3")
        try config.set("client.id", "mock-cluster")
        let handle = try RDKafka.makeHandle(type: RD_KAFKA_PRODUCER, config: config, context: context)
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(clamping: brokers)) else {
            rd_kafka_destroy(handle)
            throw KafkaError(code: .fail, message: "rd_kafka_mock_cluster_new failed")
        }
        self.handle = handle
        self.cluster = cluster
        self.context = context
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(handle)
    }

    /// Creates `name` with `partitions` partitions (`rd_kafka_mock_topic_create`).
    ///
    /// - Throws: ``KafkaError`` e.g. `TOPIC_ALREADY_EXISTS`, or `_INVALID_ARG` for counts < 1.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        guard partitions >= 1, replicationFactor >= 1 else {
            throw KafkaError(code: .invalidArgument, message: "partitions and replication factor must be at least 1")
        }
        let err = rd_kafka_mock_topic_create(
            cluster, name, Int32(clamping: partitions), Int32(clamping: replicationFactor))
        if let error = KafkaError.check(err) { throw error }
    }

    /// Takes broker `id` down: its connections are closed and new ones refused.
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try checkBroker(id)
        if let error = KafkaError.check(rd_kafka_mock_broker_set_down(cluster, id)) { throw error }
    }

    /// Brings broker `id` back up.
    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try checkBroker(id)
        if let error = KafkaError.check(rd_kafka_mock_broker_set_up(cluster, id)) { throw error }
    }

    /// Delays every response of broker `id` by `rtt` (`rd_kafka_mock_broker_set_rtt`).
    public func setRoundTripTime(_ rtt: Duration, broker id: Int32) throws(KafkaError) {
        try checkBroker(id)
        if let error = KafkaError.check(rd_kafka_mock_broker_set_rtt(cluster, id, RDKafka.milliseconds(rtt))) {
            throw error
        }
    }

    /// Makes the next `errors.count` requests of type `apiKey` (to any broker) fail with these
    /// codes, in order (`rd_kafka_mock_push_request_errors`).
    public func pushRequestErrors(_ errors: [KafkaError.Code], for apiKey: KafkaAPIKey) {
        guard !errors.isEmpty else { return }
        let codes = errors.map(\.cValue)
        codes.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, apiKey.rawValue, buffer.count, buffer.baseAddress)
        }
    }

    /// Forgets errors pushed for `apiKey` that were not used yet.
    public func clearRequestErrors(for apiKey: KafkaAPIKey) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey.rawValue)
    }

    /// Makes every request for `topic` fail with `code` (or stop failing with `nil`).
    public func setTopicError(_ code: KafkaError.Code?, topic: String) {
        rd_kafka_mock_topic_set_error(cluster, topic, (code ?? KafkaError.Code(rawValue: 0)).cValue)
    }

    /// Moves the leadership of `topic`/`partition` to broker `id`.
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) throws(KafkaError) {
        try checkBroker(id)
        if let error = KafkaError.check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, id)) {
            throw error
        }
    }

    private func checkBroker(_ id: Int32) throws(KafkaError) {
        guard id >= 1, Int(id) <= brokerCount else {
            throw KafkaError(code: .invalidArgument, message: "no broker \(id): brokers are 1...\(brokerCount)")
        }
    }
}
