internal import CRdKafka

/// librdkafka configuration properties (`bootstrap.servers`, `group.id`, …) as strings.
///
/// Every property is checked by librdkafka itself (`rd_kafka_conf_set`) when it is set, so a
/// bad key or value fails at once with librdkafka's exact text, e.g.
/// `No such configuration property: "no.such.key"` — the right error for a user's
/// `-X key=value`. Properties keep their insertion order and a later value replaces an
/// earlier one. See librdkafka's `CONFIGURATION.md` for the keys.
///
/// ``KafkaProducer`` and ``KafkaConsumer`` apply their own defaults first (see
/// ``KafkaProducer/defaultProperties`` and ``KafkaConsumer/defaultProperties``), then these
/// properties, so anything set here wins. Callbacks (`log_cb`, `dr_msg_cb`,
/// `rebalance_cb`, …) are installed by those types and cannot be set here.
public struct KafkaConfiguration: Sendable, Hashable {
    /// One property.
    public struct Property: Sendable, Hashable {
        /// The librdkafka key, e.g. `bootstrap.servers`.
        public let key: String
        /// The value as librdkafka parses it.
        public let value: String
    }

    /// The properties in the order they were first set.
    public private(set) var properties: [Property] = []

    /// An empty configuration (librdkafka's and the client's defaults apply).
    public init() {}

    /// A configuration with `properties`, validated in order.
    ///
    /// - Throws: ``KafkaError`` (code `_INVALID_ARG`) with librdkafka's text for the first bad
    ///   key or value.
    public init(_ properties: KeyValuePairs<String, String>) throws(KafkaError) {
        for (key, value) in properties {
            try set(key, value)
        }
    }

    /// Sets `key` to `value` after librdkafka accepted it.
    ///
    /// - Throws: ``KafkaError`` (code `_INVALID_ARG`) whose ``KafkaError/message`` is
    ///   librdkafka's exact error text for an unknown key or an invalid value.
    public mutating func set(_ key: String, _ value: String) throws(KafkaError) {
        let scratch = RDKafkaConfig()
        try scratch.set(key, value)
        if let index = properties.firstIndex(where: { $0.key == key }) {
            properties[index] = Property(key: key, value: value)
        } else {
            properties.append(Property(key: key, value: value))
        }
    }

    /// The value set for `key`, or `nil` (librdkafka's default applies).
    public subscript(key: String) -> String? {
        properties.first(where: { $0.key == key })?.value
    }

    /// Removes `key` (librdkafka's or the client's default applies again).
    public mutating func remove(_ key: String) {
        properties.removeAll { $0.key == key }
    }

    /// A copy with `other`'s properties set on top of these.
    public func merging(_ other: KafkaConfiguration) -> KafkaConfiguration {
        var result = self
        for property in other.properties {
            if let index = result.properties.firstIndex(where: { $0.key == property.key }) {
                result.properties[index] = property
            } else {
                result.properties.append(property)
            }
        }
        return result
    }

    /// `bootstrap.servers`: the comma-separated `host:port` list of initial brokers.
    public var bootstrapServers: String? { self["bootstrap.servers"] }

    /// `group.id`: the consumer group.
    public var groupID: String? { self["group.id"] }
}
