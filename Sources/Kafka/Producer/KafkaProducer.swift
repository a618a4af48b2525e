internal import CRdKafka
import Logging
import Synchronization

/// A Kafka producer: one librdkafka producer handle (`rd_kafka_t`), owned for its lifetime.
///
/// ## The `Kafka` module
/// The module is the only code that touches librdkafka's C API. It offers
/// ``KafkaProducer``, ``KafkaConsumer`` (group consumer with manual commits and rebalance
/// events), ``KafkaConfiguration`` (librdkafka properties, validated by librdkafka),
/// ``KafkaError``, ``MockCluster`` (librdkafka's in-process Kafka-protocol test cluster) and
/// ``KafkaThread`` (a dedicated OS thread to run blocking librdkafka calls and poll loops off
/// Swift's cooperative pool). Everything is synchronous: there is no async hop per message;
/// a poll loop on a ``KafkaThread`` drains librdkafka in batches.
///
/// ## Producing
/// ``produce(topic:partition:key:value:headers:timestamp:opaque:)`` enqueues one message
/// synchronously (`rd_kafka_produceva`, librdkafka copies key, value and headers, so the
/// caller's buffers may be reused at once) with a caller-chosen `UInt64` ``DeliveryReport/opaque``.
/// When librdkafka's queue is full it throws ``KafkaError`` with
/// ``KafkaError/isQueueFull``: serve delivery reports with ``poll(timeout:)`` and retry (or
/// pause input). Each accepted message later yields exactly one ``DeliveryReport`` to the
/// handler given at creation, on the thread that calls ``poll(timeout:)`` or
/// ``flush(timeout:)``.
///
/// Idempotence (`enable.idempotence=true`) is on by default, so librdkafka's retries keep
/// order and never duplicate. See ``defaultProperties``.
///
/// ## Threads
/// `produce` may be called from any thread. `poll` and `flush` run the delivery-report
/// handler on the calling thread, so call them from one thread at a time (the handler is not
/// required to be thread-safe). All calls are blocking at most for the given timeout; call
/// them from a ``KafkaThread``, not from Swift concurrency's cooperative pool, when the
/// timeout is not zero.
///
/// Releasing the producer destroys the handle; ``flush(timeout:)`` first to deliver what is
/// still queued (librdkafka drops it otherwise).
public final class KafkaProducer: @unchecked Sendable {
    // @unchecked Sendable: librdkafka's producer API is thread-safe; the only Swift state is
    // immutable or a thread-safe cache; the handler runs on the thread that polls (documented).

    /// Properties this producer sets before the caller's configuration (which may override
    /// them): `enable.idempotence=true`.
    public static let defaultProperties: [String: String] = [
        "enable.idempotence": "true"
    ]

    private let handle: OpaquePointer
    var rawHandle: OpaquePointer { handle }
    private let context: RDKafkaClientContext
    /// Topic handles by name, created on first use and kept until the producer is destroyed:
    /// producing by name (`RD_KAFKA_VTYPE_TOPIC`) makes librdkafka take its handle-wide write
    /// lock and look the topic up for every message.
    private let topicHandles = Mutex<[String: OpaquePointer]>([:])

    /// Creates a producer.
    ///
    /// - Parameters:
    ///   - configuration: librdkafka properties; at least `bootstrap.servers`.
    ///   - logger: receives librdkafka's logs (from its threads) and errors.
    ///   - statisticsHandler: called on the polling thread with each statistics report
    ///     (only if `statistics.interval.ms` is set).
    ///   - deliveryReportHandler: called once per accepted message, on the thread calling
    ///     ``poll(timeout:)`` / ``flush(timeout:)``.
    /// - Throws: ``KafkaError`` with librdkafka's text if the configuration is rejected.
    public init(
        configuration: KafkaConfiguration,
        logger: Logger,
        statisticsHandler: ((KafkaStatistics) -> Void)? = nil,
        deliveryReportHandler: @escaping (DeliveryReport) -> Void
    ) throws(KafkaError) {
        let context = RDKafkaClientContext(
            logger: logger, deliveryReportHandler: deliveryReportHandler,
            statisticsHandler: statisticsHandler)
        let config = RDKafkaConfig()
        try config.apply(defaults: Self.defaultProperties.sorted { $0.key < $1.key }, configuration)
        rd_kafka_conf_set_dr_msg_cb(config.conf) { rk, message, _ in
            KafkaProducer.deliveryReport(rk, message)
        }
        self.handle = try RDKafka.makeHandle(type: RD_KAFKA_PRODUCER, config: config, context: context)
        self.context = context
    }

    deinit {
        for topic in topicHandles.withLock({ Array($0.values) }) { rd_kafka_topic_destroy(topic) }
        rd_kafka_destroy(handle)
    }

    /// The handle of `topic`, created on first use (`rd_kafka_topic_new` with the default
    /// topic configuration, as producing by name would), or `nil` if librdkafka refuses the name.
    private func topicHandle(_ topic: String) -> OpaquePointer? {
        topicHandles.withLock { handles in
            if let existing = handles[topic] { return existing }
            guard let created = rd_kafka_topic_new(handle, topic, nil) else { return nil }
            handles[topic] = created
            return created
        }
    }

    /// Enqueues one message (`rd_kafka_produceva`) without blocking.
    ///
    /// - Parameters:
    ///   - topic: the topic.
    ///   - partition: the partition, or `nil` to let the configured partitioner choose
    ///     (by key hash: same key, same partition).
    ///   - key: the key bytes, or `nil` for a null key. Copied before returning.
    ///   - value: the value bytes, or `nil` for a null value (tombstone). Copied before returning.
    ///   - headers: record headers, copied before returning.
    ///   - timestamp: create time in ms since the epoch, or `nil` for now.
    ///   - opaque: the caller's value, returned in this message's ``DeliveryReport``.
    /// - Throws: ``KafkaError``; ``KafkaError/isQueueFull`` (`_QUEUE_FULL`) means back off:
    ///   ``poll(timeout:)`` and try again. Others: `MSG_SIZE_TOO_LARGE`, `_UNKNOWN_PARTITION`,
    ///   `_UNKNOWN_TOPIC`, `_FATAL`, … No delivery report follows a thrown error.
    public func produce(
        topic: String,
        partition: Int32? = nil,
        key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader] = [],
        timestamp: Int64? = nil,
        opaque: UInt64
    ) throws(KafkaError) {
        // Headers go in as one application-owned list (`RD_KAFKA_VTYPE_HEADERS`), not one
        // `RD_KAFKA_VTYPE_HEADER` each: librdkafka before 2.12 frees per-header lists twice when
        // the partitioner refuses the message (e.g. an output topic whose authorization failed),
        // a crash (confluentinc/librdkafka#4628). A list passed whole is the message's on
        // success and stays ours on failure.
        var headerList: OpaquePointer?
        if !headers.isEmpty {
            let list = rd_kafka_headers_new(headers.count)!
            for header in headers {
                // `withCString`, not the implicit String-to-pointer conversion: that one copies a
                // small string (most header names) into a new heap array on every call.
                let added: rd_kafka_resp_err_t = header.name.withCString { name in
                    if let value = header.value {
                        // An empty value still needs a non-null address (null means a null value).
                        value.isEmpty
                            ? withUnsafeBytes(of: UInt8(0)) { rd_kafka_header_add(list, name, -1, $0.baseAddress, 0) }
                            : value.withUnsafeBytes { rd_kafka_header_add(list, name, -1, $0.baseAddress, $0.count) }
                    } else {
                        rd_kafka_header_add(list, name, -1, nil, 0)
                    }
                }
                if added != RD_KAFKA_RESP_ERR_NO_ERROR {
                    rd_kafka_headers_destroy(list)
                    throw KafkaError(added)
                }
            }
            headerList = list
        }
        let count = 4 + (key == nil ? 0 : 1) + (value == nil ? 0 : 1) + (timestamp == nil ? 0 : 1) + (headerList == nil ? 0 : 1)
        let handle = self.handle
        guard let topicHandle = topicHandle(topic) else {
            if let headerList { rd_kafka_headers_destroy(headerList) }
            throw KafkaError(rd_kafka_last_error())
        }
        let error: OpaquePointer? = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: count) { vus in
            // A valid non-null address for empty (but not null) keys and values.
            withUnsafeTemporaryAllocation(byteCount: 1, alignment: 1) { scratch in
                let nonNull = scratch.baseAddress!
                var index = 0
                func append(_ vtype: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                    var vu = rd_kafka_vu_t()
                    vu.vtype = vtype
                    fill(&vu)
                    (vus.baseAddress! + index).initialize(to: vu)
                    index += 1
                }
                append(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topicHandle }
                append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? -1 }  // RD_KAFKA_PARTITION_UA
                append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                append(RD_KAFKA_VTYPE_OPAQUE) {
                    $0.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: opaque))
                }
                if let key {
                    append(RD_KAFKA_VTYPE_KEY) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress ?? UnsafeRawPointer(nonNull))
                        $0.u.mem.size = key.count
                    }
                }
                if let value {
                    append(RD_KAFKA_VTYPE_VALUE) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress ?? UnsafeRawPointer(nonNull))
                        $0.u.mem.size = value.count
                    }
                }
                if let timestamp {
                    append(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp }
                }
                if let headerList {
                    append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headerList }
                }
                let produced = rd_kafka_produceva(handle, vus.baseAddress, index)
                vus.baseAddress!.deinitialize(count: index)
                return produced
            }
        }
        if let error {
            if let headerList { rd_kafka_headers_destroy(headerList) }  // not taken by a refused message
            throw KafkaError.consuming(error)
        }
    }

    /// Enqueues one message whose key and value are any ``KafkaBytes`` (`String`, `[UInt8]`, …);
    /// see ``produce(topic:partition:key:value:headers:timestamp:opaque:)`` (raw buffers).
    public func produce(
        topic: String,
        partition: Int32? = nil,
        key: (some KafkaBytes)?,
        value: (some KafkaBytes)?,
        headers: [KafkaHeader] = [],
        timestamp: Int64? = nil,
        opaque: UInt64
    ) throws(KafkaError) {
        let result: Result<Void, KafkaError> = withOptionalBytes(key) { keyBytes in
            withOptionalBytes(value) { valueBytes in
                Result { () throws(KafkaError) in
                    try self.produce(
                        topic: topic, partition: partition, key: keyBytes, value: valueBytes,
                        headers: headers, timestamp: timestamp, opaque: opaque)
                }
            }
        }
        try result.get()
    }

    /// Serves queued delivery reports (and statistics) to the handlers on this thread,
    /// waiting up to `timeout` for the first one (`rd_kafka_poll`).
    ///
    /// - Returns: the number of events served.
    @discardableResult
    public func poll(timeout: Duration = .zero) -> Int {
        Int(rd_kafka_poll(handle, RDKafka.milliseconds(timeout)))
    }

    /// Sends everything queued and waits until every message has its delivery report
    /// served (on this thread) or `timeout` passes (`rd_kafka_flush`).
    ///
    /// - Throws: ``KafkaError`` `_TIMED_OUT` if messages were still outstanding.
    public func flush(timeout: Duration) throws(KafkaError) {
        if let error = KafkaError.check(rd_kafka_flush(handle, RDKafka.milliseconds(timeout))) {
            throw error
        }
    }

    /// Messages and requests not yet delivered and reported (`rd_kafka_outq_len`): queued,
    /// in flight, or awaiting a served delivery report.
    public var outQueueLength: Int {
        Int(rd_kafka_outq_len(handle))
    }

    /// The fatal error raised on this producer (e.g. the idempotent producer lost
    /// guarantees), or `nil`. After a fatal error the producer must be recreated.
    public var fatalFailure: KafkaError? {
        RDKafka.fatalFailure(handle)
    }

    /// `dr_msg_cb`: runs inside `rd_kafka_poll`/`rd_kafka_flush` on the caller's thread.
    private static func deliveryReport(_ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?) {
        guard let context = RDKafkaClientContext.of(rk), let handler = context.deliveryReportHandler,
            let message = message?.pointee
        else { return }
        let error = KafkaError.check(message.err)
        handler(
            DeliveryReport(
                topic: context.topicNames.name(ofTopic: message.rkt),
                partition: message.partition,
                offset: error == nil ? message.offset : -1,
                error: error,
                opaque: UInt64(UInt(bitPattern: message._private))
            ))
    }
}

/// Calls `body` with the bytes of `bytes`, or with `nil`.
private func withOptionalBytes<R>(_ bytes: (some KafkaBytes)?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withKafkaBytes { body($0) }
}
