/// The whole processing of one input partition, as a pure state machine:
/// decode → session store → interaction state → summary encoder, and closed sessions →
/// tumbling windows → window partials and progress markers (merged across partitions into stats
/// and alerts by a ``WindowMerger``).
///
/// Like Kafka Streams' topology, it separates *what* happens to a record from *running* it: the
/// caller (the processor's poll loop, or a test driver) feeds records and two clock inputs —
/// record arrival (event time moves the watermark) and wall-clock ticks (idle partitions) — and
/// receives the outputs through an `emit` callback, synchronously, in a deterministic order.
/// No I/O, no clock reads, no locks; the same inputs always give the same outputs.
///
/// A class (the processor keeps one per assigned partition and hands it around); its state and
/// logic live in one ``State`` struct (the session store and the ``Sink`` that turns closed
/// sessions and windows into outputs), reached once per call.
public final class PartitionTopology {
    public let partition: Int32
    public let configuration: TopologyConfiguration

    /// Reached once per call without Swift's dynamic exclusivity check (a runtime call and a
    /// thread-local access set per event): the class is used from one thread at a time and never
    /// re-entered — `emit` callbacks must not call back into the topology they were handed by.
    @exclusivity(unchecked) private var engine: State

    /// The input topic's partition count written into partials and progress markers (starts as
    /// ``TopologyConfiguration/inputPartitionCount``; set it when the topic's metadata changes).
    public var inputPartitionCount: Int32 {
        get { engine.sink.windows.inputPartitionCount }
        set { engine.sink.windows.inputPartitionCount = max(partition + 1, newValue) }
    }

    /// Sessions that never reached `opened` (counted, published only when configured).
    public var notOpenedSessions: Int { engine.sink.notOpenedSessions }

    public init(partition: Int32, configuration: TopologyConfiguration) {
        self.partition = partition
        self.configuration = configuration
        engine = State(partition: partition, configuration: configuration)
    }

    // MARK: - Inputs

    /// Processes one input record.
    ///
    /// - Parameters:
    ///   - key: the record key (the interaction id), if any.
    ///   - value: the record value, if any.
    ///   - offset: its input offset (kept as the retained offset of a session it opens).
    ///   - recordTimestampMs: the Kafka record's timestamp (CreateTime or LogAppendTime) in ms, or
    ///     nil (or negative, Kafka's "no timestamp") when unknown. An event whose timestamp is more
    ///     than ``TopologyConfiguration/maxClockSkewMs`` ahead of it is dead-lettered with
    ///     `future_timestamp` and touches neither the watermark nor any session. Unknown: no check.
    ///   - arrivalMs: wall-clock arrival time in ms (only for idle advancement).
    ///   - emit: receives the outputs this record causes, in order.
    public func process(
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, offset: Int64, recordTimestampMs: Int64? = nil,
        arrivalMs: Int64, emit: (TopologyOutput) -> Void
    ) {
        engine.process(key: key, value: value, offset: offset, recordTimestampMs: recordTimestampMs, arrivalMs: arrivalMs, emit: emit)
    }

    /// A wall-clock tick: advances an idle partition's watermark and emits what closes.
    public func tick(nowMs: Int64, emit: (TopologyOutput) -> Void) {
        engine.tick(nowMs: nowMs, emit: emit)
    }

    /// Raises the watermark (e.g. restored from commit metadata) and emits what closes.
    public func advanceWatermark(to watermark: Int64, emit: (TopologyOutput) -> Void) {
        engine.advanceWatermark(to: watermark, emit: emit)
    }

    /// Routes the next progress marker to every partials partition, as an input partition's first
    /// (``WindowRouting``): call it after outputs were dropped instead of published (a replay, a
    /// watermark restored from a commit), so that no window those dropped markers covered goes
    /// uncovered on its merger.
    public func routeNextProgressMarkerEverywhere() {
        engine.sink.windows.routeNextMarkerEverywhere()
    }

    /// For a partition that has never seen an event (it has no watermark, so it emits no
    /// progress markers and the merge stage would wait for its merge timeout on every window):
    /// advances its windows — not its sessions — to `eventTime` and emits the progress marker.
    /// Call it like idle advancement: when the partition is caught up (lag 0) and silent for
    /// `idleAdvanceAfterMs`, with e.g. `eventTime = nowMs − allowedLatenessMs − idleAdvanceAfterMs`.
    /// A session that later closes before `eventTime` counts in the first window after it
    /// (``WindowMetrics/clampedContributions``), so the marker stays true. No effect once the
    /// partition has a watermark (idle advancement takes over).
    public func advanceWindowsOfEmptyPartition(to eventTime: Int64, emit: (TopologyOutput) -> Void) {
        guard engine.store.watermark == nil, eventTime != Int64.min else { return }
        engine.sink.advanceWindows(to: eventTime, emit: emit)
    }

    /// Closes the open session with the earliest deadline (process-wide cap) and emits its summary.
    public func evictEarliest(emit: (TopologyOutput) -> Void) {
        engine.evictEarliest(emit: emit)
    }

    // MARK: - State

    /// The partition's watermark in ms, or `Int64.min` before any event.
    public var watermark: Int64 { engine.store.watermark ?? Int64.min }
    /// The smallest input offset still needed to rebuild open (and remembered) sessions.
    public var minimumRetainedOffset: Int64? { engine.store.minimumRetainedOffset }
    /// The event time of the record at ``minimumRetainedOffset`` (raised to the watermark at
    /// which it was processed, so a backfilled record counts from when it was read), or a lower
    /// bound of it within its block of 64 offsets; nil when nothing is retained. O(1), for the
    /// "committed offset behind by N s of event time" metric: `watermark − oldestRetainedEventTime`
    /// stays below ``TopologyConfiguration/retainedEventTimeBoundMs`` (maximum session duration
    /// + max(inactivity timeout, 2 windows + allowed lateness)), up to the spread of event times
    /// within those 64 records.
    public var oldestRetainedEventTime: Int64? { engine.store.oldestRetainedEventTime }
    public var openSessionCount: Int { engine.store.openSessionCount }
    /// The earliest deadline (inactivity or maximum duration) among open sessions (for a process-wide cap).
    public func earliestDeadline() -> Int64? { engine.store.earliestOpenDeadline() }
    /// Counters of the session store.
    public var sessionMetrics: SessionStoreMetrics { engine.store.metrics }
    /// Memory reserved by the session store's buffers (not counting the states' own heap blocks).
    public var sessionStoreFootprint: SessionStoreFootprint { engine.store.footprint }

    /// The live state of an open session as JSON (never with form values unless configured).
    public func liveSessionJSON(interactionID: String) -> String? {
        guard case let .open(handle, sessionSeq)? = engine.store.lookup(interactionId: interactionID) else { return nil }
        var out = OutputBuffer(capacity: 1024)
        var id = interactionID
        id.withUTF8 { bytes in
            engine.sink.summaryEncoder.encodeLiveSession(
                engine.store[handle], interactionId: UnsafeRawBufferPointer(bytes), sessionSeq: Int(sessionSeq),
                symbols: engine.sink.symbols, into: &out)
        }
        return out.string
    }
}
