import CallbackStreamCore

/// One assigned input partition as a unit of work with no I/O (Kafka Streams' `StreamTask`):
/// runs records and clock ticks through the partition's topology, suppresses outputs while it
/// replays what was already published, and decides which offset may be committed.
///
/// ## The delivery guarantee, in one place
///
/// Every output the task hands on is attributed to a *cause* in its ``PartitionLedger``
/// (``outputProduced()``, called by whoever produces it), and is settled by
/// ``acknowledged(cause:)`` once the broker acknowledged it (or it was handled as a counted
/// per-record failure). ``commitRequest()`` returns the offset the ledger allows — never past an
/// unacknowledged output, nor past the first record of any state still needed to compute one
/// (the topology's retained offset) — with ``CommitMetadata`` saying which outputs are already
/// published. After a restart, a task created from that metadata replays the records between
/// the committed offset and `emittedThrough` to rebuild state *without publishing* (the outputs
/// were acknowledged before), then restores the watermark and publishes normally: `kill -9`
/// loses nothing and duplicates nothing that was acknowledged.
///
/// A class so that the topology's emit callback can reach the task that runs it (the caller
/// attributes each output through ``outputProduced()`` while the topology is running).
final class StreamTask {
    let partition: Int32
    /// Bumped per assignment so that stale delivery reports of an earlier assignment are ignored.
    let generation: UInt32
    let topology: PartitionTopology
    // Per-record state: no dynamic exclusivity check (see ``PartitionTopology``'s engine). Only
    // the owning thread touches it, and nothing it calls re-enters a mutation of it.
    @exclusivity(unchecked) private(set) var ledger: PartitionLedger
    /// While set, outputs caused by offsets ≤ this were already published: rebuild state only.
    private(set) var replayThrough: Int64?
    /// The watermark to restore when the replay reaches ``replayThrough``.
    private var restoredWatermark: Int64?
    /// The last commit handed out (a commit that would change nothing is skipped).
    private var lastCommit: CommitRequest?
    /// The offset a restart would start from: the last commit handed out, else where the task started.
    private(set) var committedOffset: Int64
    /// Records processed since the stream thread last added them to its metrics.
    var consumedSincePublish: UInt64 = 0
    /// Monotonic ms of the assignment (how long a partition without events has been silent).
    let assignedAtMs: Int64

    /// One commit: the next offset to read after a restart and the metadata to store with it.
    struct CommitRequest: Equatable {
        var offset: Int64
        var metadata: String
    }

    /// A task for `partition` that starts reading at `startOffset`.
    ///
    /// - Parameter committed: the metadata stored with the committed offset, if it was ours: when
    ///   it says outputs up to `emittedThrough ≥ startOffset` were published, the task replays.
    init(
        partition: Int32, generation: UInt32, configuration: TopologyConfiguration, startOffset: Int64, committed: CommitMetadata?,
        assignedAtMs: Int64 = 0
    ) {
        self.partition = partition
        self.generation = generation
        self.assignedAtMs = assignedAtMs
        topology = PartitionTopology(partition: partition, configuration: configuration)
        ledger = PartitionLedger(startOffset: startOffset, watermark: committed?.watermark ?? Int64.min)
        committedOffset = startOffset
        if let committed, committed.emittedThrough >= startOffset {
            replayThrough = committed.emittedThrough
            restoredWatermark = committed.watermark
        } else if let watermark = committed?.watermark {
            topology.advanceWatermark(to: watermark) { _ in }  // nothing open yet: nothing to emit
            topology.routeNextProgressMarkerEverywhere()  // the markers up to here were its predecessor's
        }
    }

    var isReplaying: Bool { replayThrough != nil }

    // MARK: - Inputs

    /// Runs the record at `offset`; its outputs go to `publish` unless the task is replaying.
    /// Returns `true` when this record ended the replay.
    ///
    /// - Parameters:
    ///   - recordTimestampMs: the Kafka record's timestamp, if any.
    ///   - arrivalMs: monotonic arrival time in ms (idle detection only).
    @inline(__always) @discardableResult
    func process(
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, offset: Int64, recordTimestampMs: Int64?, arrivalMs: Int64,
        publish: (TopologyOutput) -> Void
    ) -> Bool {
        consumedSincePublish &+= 1
        ledger.willProcess(offset: offset, watermark: topology.watermark, retainedOffset: topology.minimumRetainedOffset)
        guard let mark = replayThrough else {
            topology.process(key: key, value: value, offset: offset, recordTimestampMs: recordTimestampMs, arrivalMs: arrivalMs, emit: publish)
            return false
        }
        topology.process(key: key, value: value, offset: offset, recordTimestampMs: recordTimestampMs, arrivalMs: arrivalMs) { _ in }
        guard offset >= mark else { return false }
        finishReplay()
        return true
    }

    /// The consumer reached the end of the partition: a replay whose mark lies beyond the end of
    /// the log (retention removed records) ends here.
    /// Returns `true` when this ended the replay.
    @discardableResult
    func reachedEndOfPartition() -> Bool {
        guard isReplaying else { return false }
        finishReplay()
        return true
    }

    /// A wall-clock tick for idle advancement (call only when nothing is waiting to be read).
    func tick(nowMs: Int64, publish: (TopologyOutput) -> Void) {
        guard !isReplaying else { return }
        topology.tick(nowMs: nowMs, emit: publish)
    }

    /// For a partition that has never seen an event and has been silent for `idleAfterMs` since
    /// its assignment (call only when nothing is waiting to be read): reports its windows complete
    /// through `eventTime` — the event time its siblings reached — so that the merge stage does
    /// not wait for its merge timeout on every window. Sessions are not touched.
    func advanceWindowsIfEmpty(to eventTime: Int64, nowMs: Int64, idleAfterMs: Int64, publish: (TopologyOutput) -> Void) {
        guard !isReplaying, topology.watermark == Int64.min, eventTime != Int64.min, nowMs - assignedAtMs >= idleAfterMs else { return }
        topology.advanceWindowsOfEmptyPartition(to: eventTime, emit: publish)
    }

    /// Closes the open session with the earliest deadline (process-wide cap).
    func evictEarliest(publish: (TopologyOutput) -> Void) {
        guard !isReplaying else { return }
        topology.evictEarliest(emit: publish)
    }

    /// Ends the replay: restores the watermark the partition had when its outputs were last
    /// acknowledged (firing the same timers, whose outputs were published before), then the
    /// task publishes normally.
    private func finishReplay() {
        if let watermark = restoredWatermark {
            topology.advanceWatermark(to: watermark) { _ in }
        }
        // The markers of the replay were not published (their predecessor's were): the next one
        // goes to every merger.
        topology.routeNextProgressMarkerEverywhere()
        replayThrough = nil
        restoredWatermark = nil
    }

    // MARK: - Delivery and commits

    /// Attributes an output being produced now to the record being processed; returns its
    /// cause, to be handed back to ``acknowledged(cause:)``.
    func outputProduced() -> Int64 {
        ledger.produced()
    }

    /// The broker acknowledged an output (or it was settled as a counted per-record failure).
    func acknowledged(cause: Int64) {
        ledger.acknowledged(cause: cause)
    }

    /// The commit that is safe now, or `nil` while replaying or when it would change nothing.
    func commitRequest() -> CommitRequest? {
        guard !isReplaying else { return nil }
        let point = ledger.commitPoint(retainedOffset: topology.minimumRetainedOffset, watermark: topology.watermark)
        let request = CommitRequest(offset: point.offset, metadata: point.metadata.encoded)
        guard request != lastCommit, point.offset >= 0 else { return nil }
        lastCommit = request
        committedOffset = request.offset
        return request
    }

    /// How many records the committed offset is behind the position (what a restart re-reads).
    var commitLagRecords: Int64 { max(0, ledger.nextOffset - committedOffset) }

    /// How far, in event time (ms), the oldest record retained state still needs is behind the
    /// watermark: the part of the commit lag that sessions, reopen chains and remembered sessions
    /// hold (bounded by ``TopologyConfiguration/retainedEventTimeBoundMs``); 0 when none.
    var retainedEventTimeLagMs: Int64 {
        guard let oldest = topology.oldestRetainedEventTime, topology.watermark != Int64.min else { return 0 }
        return max(0, topology.watermark - oldest)
    }

    /// The last commit request failed: the next ``commitRequest()`` tries again.
    func commitFailed() {
        lastCommit = nil
    }
}
