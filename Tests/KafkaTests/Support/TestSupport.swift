import Foundation
import Kafka
import Logging
import Synchronization

/// A logger for tests: librdkafka warnings and worse, to stderr.
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
}

/// A name no other test uses (topics, groups), so tests can run in parallel.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Consumer properties for tests: the mock's bootstrap, a group, short session timeouts so
/// the mock's rebalance waits (session.timeout.ms − 1 s) stay short.
func consumerConfiguration(
    _ cluster: MockCluster, group: String, _ extra: KeyValuePairs<String, String> = [:]
) throws -> KafkaConfiguration {
    var configuration = try KafkaConfiguration([
        "bootstrap.servers": cluster.bootstrapServers,
        "group.id": group,
        "session.timeout.ms": "4000",
        "heartbeat.interval.ms": "500",
        "topic.metadata.refresh.interval.ms": "1000",
    ])
    for (key, value) in extra {
        try configuration.set(key, value)
    }
    return configuration
}

/// Producer properties for tests.
func producerConfiguration(
    _ cluster: MockCluster, _ extra: KeyValuePairs<String, String> = [:]
) throws -> KafkaConfiguration {
    var configuration = try KafkaConfiguration([
        "bootstrap.servers": cluster.bootstrapServers,
        "linger.ms": "5",
    ])
    for (key, value) in extra {
        try configuration.set(key, value)
    }
    return configuration
}

/// Thread-safe state shared between a test and the handlers running on a poll thread.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) {
        self.value = Mutex(value)
    }

    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R {
        value.withLock { body(&$0) }
    }

    var current: Value { value.withLock { $0 } }
}

extension UnsafeRawBufferPointer {
    /// The bytes as a UTF-8 string (copied).
    var string: String { String(decoding: self, as: UTF8.self) }
}
