internal import CRdKafka

/// Owns one `rd_kafka_conf_t` until `rd_kafka_new` takes it.
///
/// Not `Sendable`: it is built and consumed on one thread inside an initializer.
final class RDKafkaConfig {
    private var pointer: OpaquePointer?

    init() {
        pointer = rd_kafka_conf_new()
    }

    deinit {
        if let pointer { rd_kafka_conf_destroy(pointer) }
    }

    /// The live configuration; traps if it was already handed to `rd_kafka_new` (a bug here).
    var conf: OpaquePointer {
        guard let pointer else { preconditionFailure("rd_kafka_conf_t already consumed") }
        return pointer
    }

    /// `rd_kafka_conf_set`, throwing librdkafka's exact error text.
    func set(_ key: String, _ value: String) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
        guard result == RD_KAFKA_CONF_OK else {
            let text = errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KafkaError(code: .invalidArgument, message: text, isRetriable: false)
        }
    }

    /// Applies `defaults`, then `configuration` on top.
    func apply(defaults: [(String, String)], _ configuration: KafkaConfiguration) throws(KafkaError) {
        for (key, value) in defaults where configuration[key] == nil {
            try set(key, value)
        }
        for property in configuration.properties {
            try set(property.key, property.value)
        }
    }

    /// Gives up ownership (after a successful `rd_kafka_new`).
    func release() {
        pointer = nil
    }
}
