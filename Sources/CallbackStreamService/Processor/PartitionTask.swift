import CallbackStreamCore

/// Everything the processor holds for one assigned input partition: the pure topology
/// (sessions, windows), the delivery ledger and the replay state.
///
/// A class so that the poll loop can hand the topology's emit callback the same task whose
/// topology is running (separate stored properties, no overlapping access).
final class PartitionTask {
    let partition: Int32
    /// Bumped per assignment so that stale delivery reports of an earlier assignment are ignored.
    let generation: UInt32
    var topology: PartitionTopology
    var ledger: PartitionLedger
    /// While set, outputs caused by offsets ≤ this were already published: rebuild state only.
    var suppressThrough: Int64?
    /// The watermark to restore when the replay reaches ``suppressThrough``.
    var restoredWatermark: Int64?
    var lastCommitted: TopicPartitionOffsetKey?
    var lastArrivalMs: Int64
    /// Records consumed since the loop last added them to its metrics.
    var consumedSincePublish: UInt64 = 0

    init(partition: Int32, generation: UInt32, topology: PartitionTopology, startOffset: Int64, metadata: CommitMetadata?, nowMs: Int64) {
        self.partition = partition
        self.generation = generation
        self.topology = topology
        self.ledger = PartitionLedger(startOffset: startOffset, watermark: metadata?.watermark ?? Int64.min)
        if let metadata, metadata.emittedThrough >= startOffset {
            suppressThrough = metadata.emittedThrough
            restoredWatermark = metadata.watermark
        }
        lastArrivalMs = nowMs
    }

    var isReplaying: Bool { suppressThrough != nil }
}

/// The last commit made for a partition (to skip commits that would change nothing).
struct TopicPartitionOffsetKey: Equatable {
    var offset: Int64
    var metadata: String
}
