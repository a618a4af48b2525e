internal import CRdKafka
import Logging

/// Creation of librdkafka handles and the callbacks every handle gets (logs, errors,
/// statistics).
enum RDKafka {
    /// Creates a handle of `type` from `config` (which it consumes on success), routing
    /// librdkafka's logs and errors to `context.logger` and its statistics to
    /// `context.statisticsHandler`.
    ///
    /// The context must outlive the handle: `rd_kafka_destroy` joins all librdkafka threads,
    /// so release it only after destroying the handle.
    static func makeHandle(
        type: rd_kafka_type_t, config: RDKafkaConfig, context: RDKafkaClientContext
    ) throws(KafkaError) -> OpaquePointer {
        let conf = config.conf
        // The opaque is in place before rd_kafka_new, whose threads may log at once.
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            RDKafka.log(rk, level: level, facility: facility, message: message)
        }
        rd_kafka_conf_set_error_cb(conf) { rk, err, reason, _ in
            RDKafka.error(rk, code: err, reason: reason)
        }
        if context.statisticsHandler != nil {
            rd_kafka_conf_set_stats_cb(conf) { rk, json, length, _ in
                RDKafka.statistics(rk, json: json, length: length)
                return 0  // librdkafka frees the JSON buffer
            }
        }
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            let text = errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KafkaError(code: .invalidArgument, message: text, isRetriable: false)
        }
        config.release()
        return handle
    }

    /// `log_cb`: runs on librdkafka's threads (and inside `rd_kafka_new`); uses only the
    /// `Sendable` logger.
    private static func log(
        _ rk: OpaquePointer?, level: Int32, facility: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?
    ) {
        guard let context = RDKafkaClientContext.of(rk) else { return }
        let swiftLevel = logLevel(syslog: level)
        guard context.logger.logLevel <= swiftLevel else { return }
        context.logger.log(
            level: swiftLevel,
            "\(message.map { String(cString: $0) } ?? "")",
            metadata: [
                "kafka.facility": "\(facility.map { String(cString: $0) } ?? "")",
                "kafka.client": "\(rk.flatMap { rd_kafka_name($0) }.map { String(cString: $0) } ?? "")",
            ]
        )
    }

    /// `error_cb`: global (not per-message) errors, e.g. all brokers down or a fatal error.
    private static func error(_ rk: OpaquePointer?, code: Int32, reason: UnsafePointer<CChar>?) {
        guard let context = RDKafkaClientContext.of(rk) else { return }
        var error = KafkaError(
            code: KafkaError.Code(rawValue: code), message: reason.map { String(cString: $0) })
        if error.code == .fatal, let rk, let fatal = fatalFailure(rk) {
            error = fatal
        }
        context.logger.log(
            level: error.isFatal ? .critical : (error.isRetriable ? .warning : .error),
            "librdkafka error",
            metadata: [
                "kafka.error.name": "\(error.name)",
                "kafka.error.message": "\(error.message)",
                "kafka.client": "\(rk.flatMap { rd_kafka_name($0) }.map { String(cString: $0) } ?? "")",
            ]
        )
    }

    /// `stats_cb`: served on the polling thread.
    private static func statistics(_ rk: OpaquePointer?, json: UnsafeMutablePointer<CChar>?, length: Int) {
        guard let context = RDKafkaClientContext.of(rk), let handler = context.statisticsHandler, let json
        else { return }
        let text = String(
            decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self)
        handler(KafkaStatistics(json: text))
    }

    /// The fatal error raised on `rk`, if any (`rd_kafka_fatal_error`).
    static func fatalFailure(_ rk: OpaquePointer) -> KafkaError? {
        var errstr = [CChar](repeating: 0, count: 512)
        let err = rd_kafka_fatal_error(rk, &errstr, errstr.count)
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        let text = errstr.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return KafkaError(code: KafkaError.Code(err), message: text, isRetriable: false, isFatal: true)
    }

    /// Maps syslog levels (librdkafka's) to swift-log levels.
    static func logLevel(syslog level: Int32) -> Logger.Level {
        switch level {
        case ...2: return .critical
        case 3: return .error
        case 4: return .warning
        case 5: return .notice
        case 6: return .info
        default: return .debug
        }
    }

    /// A timeout for librdkafka in whole milliseconds (rounded up, clamped to `Int32`;
    /// negative durations become 0).
    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, !(seconds == 0 && attoseconds <= 0) else { return 0 }
        let millis = seconds.multipliedReportingOverflow(by: 1000)
        guard !millis.overflow else { return Int32.max }
        let extra = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: millis.partialValue + extra)
    }
}
