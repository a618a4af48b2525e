/// The expected sessions of a traffic configuration, computed lazily (no records are rendered).
///
/// Ordered by interaction (in start order), then by `sessionSeq`.
public struct ExpectedSessionSequence: Sequence, Sendable {
    private let planner: InteractionPlanner

    init(planner: InteractionPlanner) {
        self.planner = planner
    }

    /// A fresh iteration from the first interaction.
    public func makeIterator() -> Iterator {
        Iterator(planner: planner)
    }

    /// Walks interactions one at a time.
    public struct Iterator: IteratorProtocol {
        private let planner: InteractionPlanner
        private var index = 0
        private var buffered: [ExpectedSession] = []
        private var position = 0

        init(planner: InteractionPlanner) {
            self.planner = planner
        }

        /// The next expected session, or `nil` at the end.
        public mutating func next() -> ExpectedSession? {
            while position == buffered.count {
                guard index < planner.configuration.interactions else { return nil }
                buffered = planner.plan(index).sessions.map(\.expectedSession)
                position = 0
                index += 1
            }
            defer { position += 1 }
            return buffered[position]
        }
    }
}
