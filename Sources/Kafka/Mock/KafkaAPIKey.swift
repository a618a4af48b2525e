/// A Kafka protocol request type (API key), e.g. to inject errors into a ``MockCluster``.
public struct KafkaAPIKey: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The protocol's numeric API key.
    public let rawValue: Int16

    /// Wraps a numeric API key.
    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// Looks a key up by its protocol name (e.g. `Produce`, `OffsetCommit`), ignoring case.
    public init?(name: String) {
        guard let entry = Self.names.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = entry.key
    }

    /// The protocol name, or the number for keys not listed here.
    public var description: String {
        Self.names.first(where: { $0.key == self })?.name ?? "ApiKey\(rawValue)"
    }

    public static let produce = KafkaAPIKey(rawValue: 0)
    public static let fetch = KafkaAPIKey(rawValue: 1)
    public static let listOffsets = KafkaAPIKey(rawValue: 2)
    public static let metadata = KafkaAPIKey(rawValue: 3)
    public static let offsetCommit = KafkaAPIKey(rawValue: 8)
    public static let offsetFetch = KafkaAPIKey(rawValue: 9)
    public static let findCoordinator = KafkaAPIKey(rawValue: 10)
    public static let joinGroup = KafkaAPIKey(rawValue: 11)
    public static let heartbeat = KafkaAPIKey(rawValue: 12)
    public static let leaveGroup = KafkaAPIKey(rawValue: 13)
    public static let syncGroup = KafkaAPIKey(rawValue: 14)
    public static let apiVersions = KafkaAPIKey(rawValue: 18)
    public static let initProducerID = KafkaAPIKey(rawValue: 22)
    public static let addPartitionsToTxn = KafkaAPIKey(rawValue: 24)
    public static let addOffsetsToTxn = KafkaAPIKey(rawValue: 25)
    public static let endTxn = KafkaAPIKey(rawValue: 26)
    public static let txnOffsetCommit = KafkaAPIKey(rawValue: 28)

    /// The request types librdkafka's mock cluster handles (KAFKA-MOCK-NOTES), by protocol name.
    public static let names: [(name: String, key: KafkaAPIKey)] = [
        ("Produce", .produce), ("Fetch", .fetch), ("ListOffsets", .listOffsets),
        ("Metadata", .metadata), ("OffsetCommit", .offsetCommit), ("OffsetFetch", .offsetFetch),
        ("FindCoordinator", .findCoordinator), ("JoinGroup", .joinGroup), ("Heartbeat", .heartbeat),
        ("LeaveGroup", .leaveGroup), ("SyncGroup", .syncGroup), ("ApiVersions", .apiVersions),
        ("InitProducerId", .initProducerID), ("AddPartitionsToTxn", .addPartitionsToTxn),
        ("AddOffsetsToTxn", .addOffsetsToTxn), ("EndTxn", .endTxn), ("TxnOffsetCommit", .txnOffsetCommit),
    ]
}
