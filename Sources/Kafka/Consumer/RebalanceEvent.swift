/// A change of a consumer's partition assignment, told synchronously on the polling thread
/// to the consumer's rebalance handler.
///
/// The lists are always *deltas*, under both the eager and the `cooperative-sticky`
/// protocol: with eager, every rebalance first revokes everything, then assigns the full new
/// set; with cooperative, only the partitions that move are revoked or assigned.
///
/// - ``assigned(_:)`` is told *after* the partitions were added to the assignment (so the
///   handler may already pause or seek them); fetching starts from the committed offset
///   (or `auto.offset.reset`).
/// - ``revoked(_:)`` is told *before* the partitions are removed: the handler still owns them
///   and can flush results and commit their offsets (``KafkaConsumer/commit(_:)``). No record
///   of these partitions reaches the poll body after this event.
/// - ``lost(_:)`` replaces `revoked` when the assignment was lost (session timeout, stale
///   generation, fenced, …): another member may already own the partitions, so commits
///   would fail; drop their state.
public enum RebalanceEvent: Sendable, Hashable {
    /// Partitions newly assigned to this consumer.
    case assigned([TopicPartition])
    /// Partitions about to be taken away in an orderly rebalance.
    case revoked([TopicPartition])
    /// Partitions already lost (not orderly): do not commit for them.
    case lost([TopicPartition])

    /// The partitions concerned.
    public var partitions: [TopicPartition] {
        switch self {
        case .assigned(let partitions), .revoked(let partitions), .lost(let partitions):
            return partitions
        }
    }
}
