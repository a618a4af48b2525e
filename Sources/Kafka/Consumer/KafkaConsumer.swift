internal import CRdKafka
import Logging
import Synchronization

/// A Kafka group consumer with manual offset management: one librdkafka consumer handle
/// (`rd_kafka_t`), owned for its lifetime.
///
/// ## Consuming
/// ``subscribe(topics:)`` joins the group (`group.id` is required). A single polling thread
/// then calls ``poll(maxMessages:timeout:_:)`` in a loop: it drains up to `maxMessages`
/// records from librdkafka's consumer queue (`rd_kafka_consume_batch_queue`) and runs the
/// body synchronously for each, with key/value/headers read in place
/// (``ConsumedMessage``). No per-message allocation or async hop.
///
/// ## Rebalances
/// The rebalance handler given at creation is told about ``RebalanceEvent/assigned(_:)``,
/// ``RebalanceEvent/revoked(_:)`` and ``RebalanceEvent/lost(_:)`` partitions synchronously,
/// on the polling thread, inside `poll` (or ``close()``), in order with the records: the
/// records a `poll` collected before the rebalance are given to the body first, the handler
/// runs after them, and no record of a revoked partition reaches the body afterwards. A
/// revoke is told *before* the partitions are unassigned, so the handler can flush and
/// ``commit(_:)``. (librdkafka pauses the assignment when a rebalance starts and discards
/// records it had fetched but not delivered; the next owner reads them again from the
/// committed offset.) Eager and `cooperative-sticky` (`partition.assignment.strategy`) are
/// both handled (`rd_kafka_assign` vs `rd_kafka_incremental_assign/unassign`).
///
/// ## Offsets
/// Auto-commit and auto offset store are off by default (``defaultProperties``): the
/// application commits explicit offsets with ``commit(_:)`` / ``commitAsync(_:)``, each with
/// an optional metadata string (read back by ``committed(_:timeout:)``), or stores offsets
/// (``store(_:)``) and commits them with ``commitStored()``. A new group starts at the
/// earliest offset (`auto.offset.reset=earliest`).
///
/// ## Threads
/// `poll`, `close` and the commit/committed/query calls block up to their timeout: call
/// them from a ``KafkaThread``, never from Swift concurrency's cooperative pool. `poll` and
/// `close` must be called from one thread at a time (the polling thread), which is where
/// all handlers run. ``wakeup()`` may be called from any thread to make a blocked `poll`
/// return early. Releasing the consumer closes it (leaving the group) if ``close()`` was
/// not called; handlers are not called from `deinit`.
public final class KafkaConsumer: @unchecked Sendable {
    // @unchecked Sendable: librdkafka's consumer API is thread-safe; Swift-side mutable state
    // (the context's deferred rebalances) is touched only by the polling thread, which the
    // documentation requires to be one thread at a time; `closed` is a Mutex.

    /// Properties this consumer sets before the caller's configuration (which may override
    /// them): `enable.auto.commit=false`, `enable.auto.offset.store=false`,
    /// `auto.offset.reset=earliest`.
    public static let defaultProperties: [String: String] = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
        "auto.offset.reset": "earliest",
    ]

    let handle: OpaquePointer
    private let queue: OpaquePointer
    let context: RDKafkaClientContext
    private let closed = Mutex(false)
    /// Whether `partition.assignment.strategy` includes `cooperative-sticky`.
    private let cooperativeSticky: Bool
    /// Whether `group.instance.id` is set (a static member, KIP-345: it does not leave the group
    /// when it closes).
    private let staticMember: Bool
    /// Set by ``wakeup()`` so a wake-up that arrives before `poll` starts waiting is not lost.
    private let wakeupRequested = Atomic(false)
    /// Wakes librdkafka's fetcher after a full prefetch queue was drained; `nil` if disabled.
    private let fetchStallGuard: FetchStallGuard?

    /// The logger given at creation.
    public var logger: Logger { context.logger }

    /// Creates a consumer (it joins no group until ``subscribe(topics:)``).
    ///
    /// - Parameters:
    ///   - configuration: librdkafka properties; at least `bootstrap.servers` and `group.id`.
    ///   - logger: receives librdkafka's logs (from its threads) and errors.
    ///   - commitHandler: told the outcome of every commit (async ones, and the sync ones
    ///     made by ``commitStored()``/``commit(_:)`` are *not* reported here: they throw),
    ///     on the polling thread.
    ///   - statisticsHandler: called on the polling thread with each statistics report
    ///     (only if `statistics.interval.ms` is set).
    ///   - wakesFetcher: whether to wake librdkafka's fetcher after `poll` drained a full
    ///     prefetch queue (see ``fetchWakeups``); `false` leaves librdkafka alone (before 2.3 it
    ///     then waits up to 1 s before fetching again).
    ///   - rebalanceHandler: told assigned/revoked/lost partitions on the polling thread
    ///     (see ``RebalanceEvent``); it gets this consumer, e.g. to commit on revoke.
    /// - Throws: ``KafkaError`` with librdkafka's text if the configuration is rejected, or
    ///   `_INVALID_ARG` if `group.id` is missing.
    public init(
        configuration: KafkaConfiguration,
        logger: Logger,
        commitHandler: ((CommitResult) -> Void)? = nil,
        statisticsHandler: ((KafkaStatistics) -> Void)? = nil,
        wakesFetcher: Bool = true,
        rebalanceHandler: @escaping (KafkaConsumer, RebalanceEvent) -> Void
    ) throws(KafkaError) {
        guard let groupID = configuration.groupID, !groupID.isEmpty else {
            throw KafkaError(code: .invalidArgument, message: "group.id is required for a KafkaConsumer")
        }
        let context = RDKafkaClientContext(
            logger: logger, rebalanceHandler: rebalanceHandler, commitHandler: commitHandler,
            statisticsHandler: statisticsHandler)
        let config = RDKafkaConfig()
        try config.apply(defaults: Self.defaultProperties.sorted { $0.key < $1.key }, configuration)
        rd_kafka_conf_set_rebalance_cb(config.conf) { rk, err, partitions, _ in
            KafkaConsumer.rebalanceCallback(rk, err, partitions)
        }
        if commitHandler != nil {
            rd_kafka_conf_set_offset_commit_cb(config.conf) { rk, err, offsets, _ in
                KafkaConsumer.commitCallback(rk, err, offsets)
            }
        }
        let handle = try RDKafka.makeHandle(type: RD_KAFKA_CONSUMER, config: config, context: context)
        // Serve everything (rebalances, commits, stats, errors) from the consumer queue.
        let forwarded = rd_kafka_poll_set_consumer(handle)
        guard forwarded == RD_KAFKA_RESP_ERR_NO_ERROR, let queue = rd_kafka_queue_get_consumer(handle) else {
            rd_kafka_destroy(handle)
            throw KafkaError(forwarded == RD_KAFKA_RESP_ERR_NO_ERROR ? RD_KAFKA_RESP_ERR__STATE : forwarded)
        }
        self.handle = handle
        self.queue = queue
        self.context = context
        self.cooperativeSticky = configuration["partition.assignment.strategy"]?.contains("cooperative-sticky") ?? false
        self.staticMember = !(configuration["group.instance.id"] ?? "").isEmpty
        self.fetchStallGuard = wakesFetcher
            ? FetchStallGuard(
                handle: handle, messageThreshold: Self.integerProperty(handle, "queued.min.messages") ?? 100_000,
                byteThreshold: (Self.integerProperty(handle, "queued.max.messages.kbytes") ?? 65_536) * 1024,
                name: "rdk:fetchguard")
            : nil
        context.consumer = self
    }

    /// The effective value of an integer property of `handle`'s configuration.
    private static func integerProperty(_ handle: OpaquePointer, _ name: String) -> Int? {
        var buffer = [CChar](repeating: 0, count: 32)
        var size = buffer.count
        guard rd_kafka_conf_get(rd_kafka_conf(handle), name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return buffer.withUnsafeBufferPointer { Int(String(cString: $0.baseAddress!)) }
    }

    /// How many times this consumer woke librdkafka's fetcher after its prefetch queue had been
    /// full and was drained (each wake-up is one ListOffsets request per partition leader).
    public var fetchWakeups: Int {
        fetchStallGuard?.wakeups ?? 0
    }

    deinit {
        fetchStallGuard?.stop()
        // `context.consumer` is already nil here, so no handler runs during this close.
        let wasClosed = closed.withLock { $0 }
        if !wasClosed {
            leaveBeforeClosing()  // as in `close()`: a direct close can hang (librdkafka#4527)
            _ = rd_kafka_consumer_close(handle)
        }
        rd_kafka_queue_destroy(queue)
        if Self.destroyWouldAbort(cooperativeSticky: cooperativeSticky, receivedAssignment: context.receivedAssignment.load(ordering: .acquiring)) {
            // Leak the (closed) handle rather than abort the process; its threads log through
            // the context, which must then live as long (see `RDKafka.makeHandle`).
            context.logger.notice(
                "not destroying a cooperative-sticky consumer that never got an assignment (librdkafka < 2.3.0 would abort: librdkafka#4312)")
            _ = Unmanaged.passRetained(context)
            return
        }
        rd_kafka_destroy(handle)
    }

    /// librdkafka before 2.3.0 asserts in `rd_kafka_sticky_assignor_state_destroy` (and aborts
    /// the process) when a cooperative-sticky consumer that got a JoinGroup response but never
    /// an assignment is destroyed — e.g. one stopped during its first rebalance
    /// (confluentinc/librdkafka#4312, fixed by #4381 in 2.3.0). Debian 12 ships 2.0.2.
    static func destroyWouldAbort(cooperativeSticky: Bool, receivedAssignment: Bool, version: Int32 = rd_kafka_version()) -> Bool {
        cooperativeSticky && !receivedAssignment && version < 0x0203_00FF
    }

    /// Subscribes to `topics` (names; a `^` prefix makes a regex), replacing any previous
    /// subscription. The group join happens during subsequent polls.
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(capacity: topics.count)
        for topic in topics {
            rd_kafka_topic_partition_list_add(list.pointer, topic, -1)  // RD_KAFKA_PARTITION_UA
        }
        if let error = KafkaError.check(rd_kafka_subscribe(handle, list.pointer)) {
            throw error
        }
    }

    /// Drops the subscription (revoking all partitions during following polls).
    public func unsubscribe() throws(KafkaError) {
        if let error = KafkaError.check(rd_kafka_unsubscribe(handle)) {
            throw error
        }
    }

    /// Delivers up to `maxMessages` messages to `body`, in order, on this thread.
    ///
    /// Takes what is already fetched without waiting; if nothing is, waits up to `timeout`
    /// for the first message and then takes what else is ready. Rebalances, commit results
    /// and statistics that arrive meanwhile are served to their handlers on this thread,
    /// after the messages fetched before them (see ``RebalanceEvent``).
    ///
    /// - Parameters:
    ///   - maxMessages: the batch size (clamped to 1...65,536).
    ///   - timeout: how long to wait when nothing is ready (`.zero`: never wait).
    ///   - body: called per message; the message (and its buffers) is valid only during the
    ///     call. Messages with ``ConsumedMessage/error`` set are consumer errors, not records.
    /// - Returns: the number of messages given to `body`.
    @discardableResult
    public func poll(maxMessages: Int, timeout: Duration, _ body: (ConsumedMessage) -> Void) -> Int {
        let capacity = min(max(1, maxMessages), 65_536)
        context.deferringRebalance = true
        let delivered = withUnsafeTemporaryAllocation(
            of: UnsafeMutablePointer<rd_kafka_message_t>?.self, capacity: capacity
        ) { buffer -> Int in
            let base = buffer.baseAddress!
            let queued = fetchStallGuard == nil ? 0 : Int(rd_kafka_queue_length(queue))
            var count = max(0, rd_kafka_consume_batch_queue(queue, 0, base, capacity))
            let drained = count
            let waitMilliseconds = RDKafka.milliseconds(timeout)
            if count == 0, context.pendingRebalances.isEmpty, waitMilliseconds > 0,
                !wakeupRequested.exchange(false, ordering: .acquiringAndReleasing),
                let first = rd_kafka_consume_queue(queue, waitMilliseconds)
            {
                base.initialize(to: first)
                count = 1
                if capacity > 1, context.pendingRebalances.isEmpty {
                    count += max(0, rd_kafka_consume_batch_queue(queue, 0, base + 1, capacity - 1))
                }
            }
            var lastTopic: OpaquePointer?
            var lastName = ""
            var payloadBytes = 0
            for index in 0..<count {
                guard let message = base[index] else { continue }
                if index < drained { payloadBytes &+= message.pointee.len }
                if message.pointee.rkt != lastTopic {
                    lastTopic = message.pointee.rkt
                    lastName = context.topicNames.name(ofTopic: lastTopic)
                }
                body(ConsumedMessage(UnsafePointer(message), topic: lastName))
            }
            for index in 0..<count {
                if let message = base[index] { rd_kafka_message_destroy(message) }
            }
            fetchStallGuard?.noteDrain(queuedBefore: queued, delivered: drained, deliveredBytes: payloadBytes)
            return count
        }
        context.deferringRebalance = false
        servePendingRebalances()
        return delivered
    }

    /// How many fetched records and events (rebalances, commit results, errors) wait in the
    /// consumer queue for the next `poll` (`rd_kafka_queue_length`).
    public var queuedCount: Int {
        Int(rd_kafka_queue_length(queue))
    }

    /// Makes a `poll` that is waiting on another thread return early (`rd_kafka_queue_yield`).
    /// Safe from any thread (not from a signal handler).
    public func wakeup() {
        wakeupRequested.store(true, ordering: .releasing)
        rd_kafka_queue_yield(queue)
    }

    /// Leaves the group and stops consuming (`rd_kafka_consumer_close`). Call on the polling
    /// thread: the final revoke is told to the rebalance handler from here (so it can
    /// commit). Blocks until the group was left. Calling it again does nothing.
    ///
    /// A `cooperative-sticky` consumer first leaves the group with an unsubscribe and serves
    /// its queue (rebalances go to the handler as in ``poll(maxMessages:timeout:_:)``; records
    /// still arriving are dropped, uncommitted, for the next owner) until the member has left
    /// or ``leaveTimeout`` passed, and only then closes. Closing straight away can hang forever
    /// in librdkafka before 2.4.0 when a rebalance's assignment waits in the queue of a member
    /// that owns nothing: the close turns the handler's assign into an unassign but stays in
    /// WAIT_ASSIGN_CALL (confluentinc/librdkafka#4527). After an unsubscribe that assign is
    /// still an assign, so the group state machine moves on. A static member (`group.instance.id`)
    /// must not leave (an unsubscribe would send LeaveGroup and cost the rebalance static
    /// membership avoids): it only serves what is queued right before closing, which leaves the
    /// hang possible if a rebalance's assignment arrives in the moment between the two.
    public func close() throws(KafkaError) {
        let alreadyClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !alreadyClosed else { return }
        fetchStallGuard?.stop()
        leaveBeforeClosing()
        context.deferringRebalance = false
        if let error = KafkaError.check(rd_kafka_consumer_close(handle)) {
            throw error
        }
    }

    /// How long ``close()`` serves the queue after its unsubscribe, waiting to have left the
    /// group, before it closes anyway.
    public static let leaveTimeout: Duration = .seconds(10)

    /// For a cooperative member of a group: unsubscribes and serves the queue until the member
    /// has left (librdkafka clears the member id when it sends LeaveGroup) or ``leaveTimeout``
    /// passed, then serves what is queued once more. A static member only serves what is queued.
    private func leaveBeforeClosing() {
        guard cooperativeSticky, memberID != nil else { return }
        if staticMember {
            poll(maxMessages: 1_000, timeout: .zero) { _ in }
            return
        }
        if let error = KafkaError.check(rd_kafka_unsubscribe(handle)) {
            context.logger.warning(
                "unsubscribing before the close failed; closing directly",
                metadata: ["kafka.error.name": "\(error.name)", "kafka.error.message": "\(error.message)"])
            return
        }
        let clock = ContinuousClock()
        let deadline = clock.now + Self.leaveTimeout
        while memberID != nil, clock.now < deadline {
            poll(maxMessages: 1_000, timeout: .milliseconds(50)) { _ in }
        }
        if memberID != nil {
            context.logger.warning(
                "the member had not left the group \(Self.leaveTimeout) after unsubscribing; closing anyway")
        }
        poll(maxMessages: 1_000, timeout: .zero) { _ in }
    }

    /// Whether the group has given this consumer an assignment (possibly an empty one) since it
    /// was created. Safe from any thread.
    public var hasReceivedAssignment: Bool {
        context.receivedAssignment.load(ordering: .acquiring)
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool {
        closed.withLock { $0 }
    }

    /// This member's id in the group (assigned by the coordinator), or `nil` before joining.
    public var memberID: String? {
        guard let id = rd_kafka_memberid(handle) else { return nil }
        defer { rd_kafka_mem_free(handle, id) }
        let text = String(cString: id)
        return text.isEmpty ? nil : text
    }

    /// The fatal error raised on this consumer, or `nil`. After a fatal error the consumer
    /// must be recreated.
    public var fatalFailure: KafkaError? {
        RDKafka.fatalFailure(handle)
    }
}
