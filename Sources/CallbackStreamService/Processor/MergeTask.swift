import CallbackStreamCore

/// One partials-topic partition owned by the merge stage: its ``WindowMerger`` (pure: merges
/// the partials of all input partitions, decides when a window is published) and the commit
/// that is safe for it — never past a partial that an unpublished or unacknowledged window
/// still needs (``WindowMerger/checkpoint``).
final class MergeTask {
    let partition: Int32
    /// Bumped per assignment so that stale delivery reports of an earlier assignment are ignored.
    let generation: UInt32
    // Per-record state: no dynamic exclusivity check (see ``PartitionTopology``'s engine). Only
    // the owning thread touches it, and nothing it calls re-enters a mutation of it.
    @exclusivity(unchecked) var merger: WindowMerger
    private var lastCommit: WindowMergerCheckpoint?

    /// A task for `partition`, restored from the metadata of its committed offset when it is ours.
    init(partition: Int32, generation: UInt32, configuration: WindowMergerConfiguration, committedOffset: Int64?, metadata: String?) {
        self.partition = partition
        self.generation = generation
        merger = WindowMerger(configuration: configuration)
        if let committedOffset, let metadata, let checkpoint = WindowMergerCheckpoint(offset: committedOffset, metadata: metadata) {
            merger.restore(checkpoint)
            lastCommit = checkpoint
        }
    }

    /// The commit that is safe now, or `nil` when it would change nothing.
    func commitRequest() -> WindowMergerCheckpoint? {
        guard let checkpoint = merger.checkpoint, checkpoint != lastCommit else { return nil }
        lastCommit = checkpoint
        return checkpoint
    }

    /// The last commit request failed: the next ``commitRequest()`` tries again.
    func commitFailed() {
        lastCommit = nil
    }
}
