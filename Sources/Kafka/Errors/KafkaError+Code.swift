internal import CRdKafka

extension KafkaError {
    /// A librdkafka error code (`rd_kafka_resp_err_t`): negative values are local to the
    /// client (names start with `_`), positive ones are Kafka protocol errors.
    ///
    /// The constants below are the codes callers commonly branch on; any other code can be
    /// made with ``init(rawValue:)`` or looked up by librdkafka name with ``init(name:)``.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The numeric `rd_kafka_resp_err_t` value.
        public let rawValue: Int32

        /// Wraps a numeric `rd_kafka_resp_err_t` value.
        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        init(_ err: rd_kafka_resp_err_t) {
            self.rawValue = err.rawValue
        }

        var cValue: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

        /// Looks a code up by its librdkafka name, with or without the `RD_KAFKA_RESP_ERR_`
        /// prefix (e.g. `NOT_ENOUGH_REPLICAS`, `_QUEUE_FULL`,
        /// `RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE`). Case-sensitive. `nil` if unknown.
        public init?(name: String) {
            let bare = name.hasPrefix("RD_KAFKA_RESP_ERR_") ? String(name.dropFirst(18)) : name
            guard !bare.isEmpty, let code = Code.byName[bare] else { return nil }
            self = code
        }

        /// The librdkafka name (`rd_kafka_err2name`), e.g. `_QUEUE_FULL`.
        public var name: String { String(cString: rd_kafka_err2name(cValue)) }

        /// librdkafka's generic description of the code (`rd_kafka_err2str`).
        public var description: String { String(cString: rd_kafka_err2str(cValue)) }

        /// Every code librdkafka knows, keyed by name (built once from `rd_kafka_get_err_descs`).
        private static let byName: [String: Code] = {
            var descriptions: UnsafePointer<rd_kafka_err_desc>?
            var count = 0
            rd_kafka_get_err_descs(&descriptions, &count)
            var table: [String: Code] = [:]
            guard let descriptions else { return table }
            for index in 0..<count {
                let entry = descriptions[index]
                guard let name = entry.name else { continue }
                table[String(cString: name)] = Code(entry.code)
            }
            return table
        }()

        // MARK: Local (client-side) codes

        /// `_QUEUE_FULL`: the producer queue is full (`queue.buffering.max.messages/kbytes`).
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        /// `_PARTITION_EOF`: the consumer reached the end of a partition
        /// (only with `enable.partition.eof=true`); not a failure.
        public static let partitionEOF = Code(RD_KAFKA_RESP_ERR__PARTITION_EOF)
        /// `_TIMED_OUT`: a blocking operation timed out.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// `_MSG_TIMED_OUT`: a produced message was not delivered within `message.timeout.ms`.
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// `_INVALID_ARG`: bad argument or configuration.
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        /// `_UNKNOWN_TOPIC`: the topic does not exist in the cluster.
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        /// `_UNKNOWN_PARTITION`: the partition does not exist in the cluster.
        public static let unknownPartition = Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        /// `_STATE`: the operation is not allowed in the client's current state.
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        /// `_NO_OFFSET`: there was no offset to commit.
        public static let noOffset = Code(RD_KAFKA_RESP_ERR__NO_OFFSET)
        /// `_FATAL`: the client raised a fatal error.
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        /// `_TRANSPORT`: a broker connection failed.
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        /// `_ALL_BROKERS_DOWN`: no broker is reachable.
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        /// `_ASSIGNMENT_LOST`: the consumer lost its partitions (e.g. session timeout).
        public static let assignmentLost = Code(RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST)
        /// `_DESTROY`: the client is being destroyed.
        public static let destroy = Code(RD_KAFKA_RESP_ERR__DESTROY)
        /// `_UNKNOWN_GROUP`: the client has no consumer group (no `group.id`).
        public static let unknownGroup = Code(RD_KAFKA_RESP_ERR__UNKNOWN_GROUP)
        /// `_FAIL`: generic failure.
        public static let fail = Code(RD_KAFKA_RESP_ERR__FAIL)

        // MARK: Kafka protocol codes

        /// `UNKNOWN`: unknown broker error.
        public static let unknown = Code(RD_KAFKA_RESP_ERR_UNKNOWN)
        /// `OFFSET_OUT_OF_RANGE`.
        public static let offsetOutOfRange = Code(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)
        /// `UNKNOWN_TOPIC_OR_PART`.
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        /// `NOT_LEADER_FOR_PARTITION` (a.k.a. `NOT_LEADER_OR_FOLLOWER`).
        public static let notLeaderForPartition = Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
        /// `REQUEST_TIMED_OUT`.
        public static let requestTimedOut = Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
        /// `MSG_SIZE_TOO_LARGE`: the broker rejected a too large message (permanent).
        public static let messageSizeTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        /// `NOT_ENOUGH_REPLICAS` (retriable).
        public static let notEnoughReplicas = Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
        /// `REBALANCE_IN_PROGRESS`.
        public static let rebalanceInProgress = Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
        /// `ILLEGAL_GENERATION`: a commit from a stale group generation.
        public static let illegalGeneration = Code(RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION)
        /// `UNKNOWN_MEMBER_ID`.
        public static let unknownMemberID = Code(RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID)
        /// `TOPIC_AUTHORIZATION_FAILED` (permanent).
        public static let topicAuthorizationFailed = Code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
        /// `INVALID_RECORD`: the broker rejected a record (permanent).
        public static let invalidRecord = Code(RD_KAFKA_RESP_ERR_INVALID_RECORD)

        /// Whether the code is transient by nature: the Kafka protocol's retriable errors
        /// (Apache Kafka's `RetriableException` family) and librdkafka's transient local errors.
        var isRetriableByDefault: Bool { Code.retriable.contains(rawValue) }

        private static let retriable: Set<Int32> = Set(([
            RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
            RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL,
            RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__WAIT_COORD,
            RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR__RETRY,
            RD_KAFKA_RESP_ERR__RESOLVE, RD_KAFKA_RESP_ERR__NODE_UPDATE,
            RD_KAFKA_RESP_ERR__ISR_INSUFF, RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_INVALID_MSG, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
            RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
            RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_NOT_CONTROLLER,
            RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS, RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR,
            RD_KAFKA_RESP_ERR_FETCH_SESSION_ID_NOT_FOUND, RD_KAFKA_RESP_ERR_INVALID_FETCH_SESSION_EPOCH,
            RD_KAFKA_RESP_ERR_LISTENER_NOT_FOUND, RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH,
            RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH, RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT, RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED,
        ] as [rd_kafka_resp_err_t]).map(\.rawValue))
    }
}
