import TestSupport
import Kafka
import Testing

/// Group rebalancing through the mock cluster, eager and cooperative.
@Suite struct RebalanceTests {
    /// What one group member saw, recorded by its rebalance handler on its poll thread.
    struct MemberLog: Sendable {
        var owned: Set<TopicPartition> = []
        var events: [RebalanceEvent] = []
        /// Partitions told as revoked/lost that were not in `assignment()` at that moment
        /// (must stay empty: the handler runs before the unassign).
        var revokedButAlreadyUnassigned: [TopicPartition] = []
        /// Partitions told as assigned that were not in `assignment()` yet (must stay empty).
        var assignedButNotInAssignment: [TopicPartition] = []
        var closed = false
        /// Records received, and those received for a partition this member did not own
        /// at that moment (must stay 0: rebalances are told in order with the records).
        var received = 0
        var receivedUnowned = 0
    }

    /// A consumer polling on its own thread until told to stop, then closing.
    final class Member: Sendable {
        let log = Shared(MemberLog())
        let stop = Shared(false)
        let thread: KafkaThread
        private let finished = Shared<Result<Void, KafkaError>?>(nil)

        init(name: String, configuration: KafkaConfiguration, topic: String) {
            thread = KafkaThread(name: name)
            let log = self.log
            let stop = self.stop
            let finished = self.finished
            thread.execute {
                let result = Result { () throws(KafkaError) in
                    let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger(name)) {
                        consumer, event in
                        let assignment = Set((try? consumer.assignment()) ?? [])
                        log.withLock { log in
                            log.events.append(event)
                            switch event {
                            case .assigned(let partitions):
                                log.owned.formUnion(partitions)
                                log.assignedButNotInAssignment += partitions.filter { !assignment.contains($0) }
                            case .revoked(let partitions), .lost(let partitions):
                                log.owned.subtract(partitions)
                                log.revokedButAlreadyUnassigned += partitions.filter { !assignment.contains($0) }
                            }
                        }
                    }
                    try consumer.subscribe(topics: [topic])
                    while !stop.current {
                        consumer.poll(maxMessages: 100, timeout: .milliseconds(50)) { message in
                            guard message.error == nil else { return }
                            log.withLock { log in
                                log.received += 1
                                if !log.owned.contains(message.topicPartition) { log.receivedUnowned += 1 }
                            }
                        }
                    }
                    try consumer.close()
                    log.withLock { $0.closed = true }
                }
                finished.withLock { $0 = result }
            }
        }

        func leave() {
            stop.withLock { $0 = true }
            thread.shutdown()
        }

        var failure: KafkaError? {
            if case .failure(let error) = finished.current { return error }
            return nil
        }
    }

    /// Produces to every partition in turn until stopped, so rebalances happen under traffic.
    final class Traffic: Sendable {
        let stop = Shared(false)
        let sent = Shared(0)
        let thread = KafkaThread(name: "traffic")

        init(configuration: KafkaConfiguration, topic: String, partitions: Int32) {
            let stop = self.stop
            let sent = self.sent
            thread.execute {
                guard let producer = try? KafkaProducer(configuration: configuration, logger: testLogger("traffic"), deliveryReportHandler: { _ in })
                else { return }
                // As fast as the producer takes them (capped below the mock's retention), so
                // the members always have a backlog of fetched records when a rebalance comes.
                var index: UInt64 = 0
                while !stop.current, index < 30_000 {
                    do throws(KafkaError) {
                        try producer.produce(
                            topic: topic, partition: Int32(index % UInt64(partitions)), key: "k\(index)", value: "v",
                            opaque: index)
                        index += 1
                        sent.withLock { $0 += 1 }
                        producer.poll()
                    } catch {
                        producer.poll(timeout: .milliseconds(1))
                    }
                }
                try? producer.flush(timeout: .seconds(10))
            }
        }

        /// Stops producing (without waiting).
        func signalEnd() {
            stop.withLock { $0 = true }
        }

        /// Stops producing and waits until the producer was flushed and released.
        func end() async throws {
            signalEnd()
            try await thread.run {}  // queued behind the producing job
            thread.shutdown()
        }
    }

    @Test(arguments: ["range", "cooperative-sticky"])
    func twoMembersSplitThenSurvivorTakesAll(strategy: String) async throws {
        let cluster = try MockCluster(brokers: 2, logger: testLogger("mock"))
        let topic = uniqueName("rebalance")
        try cluster.createTopic(topic, partitions: 8)
        let all = Set((0..<8).map { TopicPartition(topic: topic, partition: Int32($0)) })
        let configuration = try consumerConfiguration(
            cluster, group: uniqueName("group"), ["partition.assignment.strategy": strategy])

        let traffic = Traffic(configuration: try producerConfiguration(cluster), topic: topic, partitions: 8)
        defer { traffic.signalEnd() }
        let first = Member(name: "first", configuration: configuration, topic: topic)
        defer { first.leave() }
        try await eventually("the first member to own all partitions") { first.log.current.owned == all }

        let second = Member(name: "second", configuration: configuration, topic: topic)
        try await eventually("the two members to split the partitions") {
            let a = first.log.current.owned
            let b = second.log.current.owned
            return !a.isEmpty && !b.isEmpty && a.isDisjoint(with: b) && a.union(b) == all
        }

        second.leave()
        try await eventually("the second member to close") { second.log.current.closed }
        #expect(second.failure == nil)
        #expect(second.log.current.owned.isEmpty)
        try await eventually("the first member to own all partitions again") { first.log.current.owned == all }

        try await traffic.end()
        first.leave()
        try await eventually("the first member to close") { first.log.current.closed }
        #expect(first.failure == nil)

        let firstLog = first.log.current
        let secondLog = second.log.current
        #expect(firstLog.revokedButAlreadyUnassigned.isEmpty)
        #expect(firstLog.assignedButNotInAssignment.isEmpty)
        #expect(secondLog.revokedButAlreadyUnassigned.isEmpty)
        #expect(secondLog.assignedButNotInAssignment.isEmpty)
        #expect(!firstLog.events.contains { if case .lost = $0 { true } else { false } })
        #expect(traffic.sent.current > 0)
        #expect(firstLog.received > 0)
        #expect(firstLog.receivedUnowned == 0)
        #expect(secondLog.receivedUnowned == 0)

        // How the first member gave partitions to the second tells the protocol apart:
        // eager revokes everything first, cooperative only what moves.
        let firstRevoke = firstLog.events.first { if case .revoked = $0 { true } else { false } }
        let revokedCount = firstRevoke?.partitions.count ?? 0
        if strategy == "cooperative-sticky" {
            #expect(revokedCount > 0 && revokedCount < 8)
        } else {
            #expect(revokedCount == 8)
        }
    }

    @Test(arguments: ["range", "cooperative-sticky"])
    func lostAssignmentIsToldAsLostThenReassigned(strategy: String) async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("lost")
        try cluster.createTopic(topic, partitions: 4)
        let all = Set((0..<4).map { TopicPartition(topic: topic, partition: Int32($0)) })
        let configuration = try consumerConfiguration(
            cluster, group: uniqueName("group"), ["partition.assignment.strategy": strategy])

        let member = Member(name: "member", configuration: configuration, topic: topic)
        defer { member.leave() }
        try await eventually("the member to own all partitions") { member.log.current.owned == all }

        // The coordinator says the generation is stale: the member has lost its partitions.
        cluster.pushRequestErrors([.illegalGeneration], for: .heartbeat)
        try await eventually("the loss to be told") {
            member.log.current.events.contains { if case .lost = $0 { true } else { false } }
        }
        try await eventually("the member to own all partitions again") { member.log.current.owned == all }
        member.leave()
        try await eventually("the member to close") { member.log.current.closed }

        let log = member.log.current
        let lost = log.events.first { if case .lost = $0 { true } else { false } }
        #expect(Set(lost?.partitions ?? []) == all)
        #expect(!log.events.contains { if case .revoked = $0 { $0.partitions.count < 4 } else { false } })
        #expect(log.revokedButAlreadyUnassigned.isEmpty)
        #expect(member.failure == nil)
    }

    /// A cooperative member that closes while an assignment waits in its queue (it was busy,
    /// e.g. flushing at shutdown, when the other member left): the close tells the handler that
    /// assignment, then revokes everything, and returns. (librdkafka before 2.4.0 can hang in
    /// `rd_kafka_consumer_close` when the member owns nothing, confluentinc/librdkafka#4527:
    /// see ``cooperativeMemberOwningNothingClosesWithAnAssignmentWaiting()``.)
    @Test func cooperativeMemberClosesWithAnAssignmentWaitingInItsQueue() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("close-while-assigned")
        try cluster.createTopic(topic, partitions: 4)
        let all = Set((0..<4).map { TopicPartition(topic: topic, partition: Int32($0)) })
        let configuration = try consumerConfiguration(
            cluster, group: uniqueName("group"), ["partition.assignment.strategy": "cooperative-sticky"])

        let first = Member(name: "first", configuration: configuration, topic: topic)
        defer { first.leave() }
        try await eventually("the first member to own all partitions") { first.log.current.owned == all }

        // The second member polls only while the test lets it.
        let log = Shared(MemberLog())
        let polling = Shared(true)
        let thread = KafkaThread(name: "second")
        let second = try await thread.run {
            let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger("second")) { _, event in
                log.withLock { log in
                    log.events.append(event)
                    switch event {
                    case .assigned(let partitions): log.owned.formUnion(partitions)
                    case .revoked(let partitions), .lost(let partitions): log.owned.subtract(partitions)
                    }
                }
            }
            try consumer.subscribe(topics: [topic])
            return consumer
        }
        thread.execute {
            while polling.current { second.poll(maxMessages: 100, timeout: .milliseconds(20)) { _ in } }
        }
        try await eventually("the two members to split the partitions") {
            let a = first.log.current.owned
            let b = log.current.owned
            return !a.isEmpty && !b.isEmpty && a.isDisjoint(with: b) && a.union(b) == all
        }
        polling.withLock { $0 = false }
        try await thread.run {}  // the polling job has returned: nothing serves the second's queue now
        let ownedBefore = log.current.owned

        first.leave()
        try await eventually("the first member to close") { first.log.current.closed }
        try await eventually("the first member's partitions to be assigned to the second, waiting in its queue") {
            second.queuedCount > 0
        }

        let closed = Shared<Result<Void, KafkaError>?>(nil)
        thread.execute {
            closed.withLock { $0 = Result { () throws(KafkaError) in try second.close() } }
        }
        try await eventually("the second member's close to return", timeout: .seconds(20)) { closed.current != nil }
        if case .failure(let error) = closed.current { Issue.record("close failed: \(error)") }
        let events = log.current.events
        #expect(log.current.owned.isEmpty, "everything was revoked before the close returned")
        #expect(events.contains { if case .assigned(let partitions) = $0 { Set(partitions) == all.subtracting(ownedBefore) } else { false } },
                "the waiting assignment was told (\(events))")
        thread.shutdown()
    }

    /// A cooperative member that owns nothing closes while a rebalance's (empty) assignment
    /// waits in its queue. librdkafka before 2.4.0 then stays in WAIT_ASSIGN_CALL forever and
    /// `rd_kafka_consumer_close` never returns (confluentinc/librdkafka#4527): the close turns
    /// the handler's assign into an unassign without leaving that state. ``KafkaConsumer/close()``
    /// leaves the group with an unsubscribe first, while the assign is still an assign.
    @Test func cooperativeMemberOwningNothingClosesWithAnAssignmentWaiting() async throws {
        let cluster = try MockCluster(logger: testLogger("mock"))
        let topic = uniqueName("close-owning-nothing")
        try cluster.createTopic(topic, partitions: 1)
        let all: Set = [TopicPartition(topic: topic, partition: 0)]
        let configuration = try consumerConfiguration(
            cluster, group: uniqueName("group"), ["partition.assignment.strategy": "cooperative-sticky"])

        let first = Member(name: "first", configuration: configuration, topic: topic)
        defer { first.leave() }
        try await eventually("the first member to own the partition") { first.log.current.owned == all }

        // The second member gets an empty assignment; it polls only while the test lets it.
        let polling = Shared(true)
        let thread = KafkaThread(name: "second")
        let second = try await thread.run {
            let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger("second")) { _, _ in }
            try consumer.subscribe(topics: [topic])
            return consumer
        }
        thread.execute {
            while polling.current { second.poll(maxMessages: 100, timeout: .milliseconds(20)) { _ in } }
        }
        try await eventually("the second member to get its (empty) assignment") { second.hasReceivedAssignment }
        polling.withLock { $0 = false }
        try await thread.run {}  // the polling job has returned: nothing serves the second's queue now
        #expect(second.queuedCount == 0)

        // A third member joins: the rebalance gives the second another empty assignment, which
        // waits in its queue.
        let third = Member(name: "third", configuration: configuration, topic: topic)
        defer { third.leave() }
        try await eventually("the rebalance's assignment to wait in the second's queue") { second.queuedCount > 0 }

        let closed = Shared<Result<Void, KafkaError>?>(nil)
        thread.execute {
            closed.withLock { $0 = Result { () throws(KafkaError) in try second.close() } }
        }
        try await eventually("the second member's close to return", timeout: .seconds(20)) { closed.current != nil }
        if case .failure(let error) = closed.current { Issue.record("close failed: \(error)") }
        #expect(second.memberID == nil, "the second member left the group")
        #expect(first.log.current.owned == all)
        thread.shutdown()
    }
}
