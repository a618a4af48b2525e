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
                        consumer.poll(maxMessages: 100, timeout: .milliseconds(50)) { _ in }
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

    @Test(arguments: ["range", "cooperative-sticky"])
    func twoMembersSplitThenSurvivorTakesAll(strategy: String) async throws {
        let cluster = try MockCluster(brokers: 2, logger: testLogger("mock"))
        let topic = uniqueName("rebalance")
        try cluster.createTopic(topic, partitions: 8)
        let all = Set((0..<8).map { TopicPartition(topic: topic, partition: Int32($0)) })
        let configuration = try consumerConfiguration(
            cluster, group: uniqueName("group"), ["partition.assignment.strategy": strategy])

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
}
