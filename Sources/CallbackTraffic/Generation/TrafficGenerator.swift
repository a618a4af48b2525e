/// The lazy, deterministic stream of lifecycle records for a `TrafficConfiguration`, in delivery order.
///
/// Interactions are planned one at a time in start order and merged by delivery time with a heap, so
/// memory holds only the sessions still in flight, never the whole run. Iterating twice (or on
/// another machine) gives the same records byte for byte.
///
/// ```swift
/// let generator = try TrafficGenerator(configuration: TrafficConfiguration(seed: 42, interactions: 1_000))
/// for record in generator { producer.send(key: record.key, value: record.value) }
/// let truth = GroundTruth(configuration: generator.configuration)
/// ```
public struct TrafficGenerator: Sequence, Sendable {
    /// What is generated.
    public let configuration: TrafficConfiguration
    private let planner: InteractionPlanner

    /// Validates `configuration` (throws `TrafficConfigurationError`) and prepares the stream.
    public init(configuration: TrafficConfiguration) throws(TrafficConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        planner = InteractionPlanner(configuration: configuration)
    }

    /// A fresh iteration from the first record.
    public func makeIterator() -> Iterator {
        Iterator(planner: planner)
    }

    /// The expected sessions of this traffic, lazily, in interaction order (then session order).
    public var expectedSessions: ExpectedSessionSequence {
        ExpectedSessionSequence(planner: planner)
    }

    /// Walks the records in delivery order.
    public struct Iterator: IteratorProtocol {
        private let planner: InteractionPlanner
        private let interactions: Int
        private var nextIndex = 0
        private var pending: InteractionPlan?
        private var heap = DeliveryHeap()

        init(planner: InteractionPlanner) {
            self.planner = planner
            interactions = planner.configuration.interactions
            if interactions > 0 { pending = planner.plan(0) }
        }

        /// The next record, or `nil` when all interactions are delivered.
        public mutating func next() -> GeneratedRecord? {
            // Admit every interaction that starts no later than the earliest pending delivery: nothing
            // not yet planned can be delivered before its start.
            while let plan = pending, heap.minKey.map({ plan.startMs <= $0 }) ?? true {
                for session in plan.sessions { heap.push(session) }
                nextIndex += 1
                pending = nextIndex < interactions ? planner.plan(nextIndex) : nil
            }
            guard let session = heap.popMin() else { return nil }
            let delivery = session.deliveries[session.cursor]
            session.cursor += 1
            if session.cursor < session.deliveries.count { heap.push(session) }
            let event = session.event(at: delivery.step)
            return GeneratedRecord(
                key: session.key,
                value: TrafficRenderer.render(event),
                timestampMs: event.timestampMs
            )
        }
    }
}
