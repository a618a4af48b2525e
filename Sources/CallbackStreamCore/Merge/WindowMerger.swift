/// The second stage of the two-stage aggregation (Kafka Streams' `groupBy(tenant)` +
/// `windowedBy` through a repartition topic): merges the ``WindowPartial``s of all input
/// partitions of a (tenant, window) into one stats record and at most one alert.
///
/// A pure state machine, one per partials partition owned: no I/O, no clock reads — the caller
/// feeds decoded partials and ``WindowProgress`` markers (each with its partials-topic offset)
/// and wall-clock ticks, and publishes what comes back. The same inputs give the same outputs.
///
/// ## Why a marker means "all of that partition's partials are here"
///
/// An input partition's partials and markers are produced by one producer (the owner of the
/// input partition, idempotent, in emission order) and routed by ``WindowRouting``: every
/// partial of window `W` to partials partition `k = hash(W.start) % count`, and the marker that
/// first reports `W` complete to `k` too (a marker goes to the partitions of the windows it newly
/// reports complete; an input partition's first marker to every partition). Kafka keeps one
/// producer's records to one partition in order, and the per-partition stage emits the partials
/// of `W` before the marker whose `completeThrough ≥ W.end` — and never a partial of `W` after it
/// (later closes are clamped forward). So when the merger of partition `k` reads input partition
/// `p`'s marker with `completeThrough ≥ W.end`, it has already read every partial `p` will ever
/// send for `W`. A window is **complete** when
/// every input partition `0 ..< N` has such a marker, `N` being the largest partition count
/// carried by the window's partials and by the markers that cover it.
/// (After a crash of an input partition's owner, the new owner replays and may send a partial
/// of `W` again after the old owner's marker: same identity, recognised as a duplicate.)
///
/// ## Rules
///
/// - **Merge**: a partial's identity is (input partition, tenant, window start). The first
///   partial of an identity is merged (counts add up, sketch bins add up); another with the same
///   identity is a replay, ignored (``WindowMergerMetrics/duplicatePartials``). A window with no
///   partial from anyone publishes nothing.
/// - **Publication**: windows are published in start order, each exactly once: the earliest
///   waiting window as soon as it is complete, or once `mergeTimeoutMs` of wall clock passed
///   since its first partial arrived and at least one partition reported it complete
///   (``WindowMergerMetrics/incompleteWindows``; its records say how many partitions had
///   reported: `completePartitions < inputPartitions`). A later window
///   waits for the earlier ones (so "published through T" is a single number). One stats record
///   per tenant group, tenant-less first then tenants by UTF-8 bytes; right after a group's
///   record an alert when over all partitions `submissions ≥ alertMinVolume` and
///   `submissionsWithErrors / submissions > alertThreshold`. Records are deterministic:
///   merged counts do not depend on arrival order, error codes are sorted, the error-code cap
///   is applied to the merged counts; `statsId` / `alertId` = `<tenant>:<windowStart>`.
/// - **Late partials**: a partial for a window already published is counted
///   (``WindowMergerMetrics/latePartials``) and reported as ``WindowMergeOutput/latePartial``,
///   never merged (the record is out; a second, different record would break "exactly one").
/// - **Partition count changes**: each partial and marker carries the input topic's partition
///   count as its emitter knew it; a window waits for the largest count seen for it. When the
///   topic grows from N to M, a window waits for the new partitions as soon as one partial or
///   covering marker says M (the new partitions report quickly: their first marker covers every
///   earlier window; one that never sees an event never reports, and the window is published at
///   the timeout). Windows only announced with N are complete with N. When the count shrinks
///   (topic re-created), windows still announced with the old count wait for the timeout; later
///   ones, whose partials all carry the new count, are complete with it — old markers only count
///   for the windows they cover.
/// - **Commits**: ``minimumNeededOffset`` is the smallest partials-topic offset a restart must
///   replay: the earliest partial of every unpublished window, of every published window whose
///   records are not yet acknowledged (``acknowledge(windowStart:)``), and the latest marker of
///   every input partition that is ahead of ``publishedThrough``. Commit
///   ``checkpoint`` (offset and metadata); on assignment ``restore(_:)`` it before feeding, so
///   windows already published and acknowledged are not published again (their replayed partials
///   count as duplicates) and the others are rebuilt from exactly the same partials — and
///   published again byte-identical. (A window published by the timeout and not acknowledged
///   before a crash is rebuilt from what the replay holds, which may by then be more. Partial
///   identities are not remembered across a restart: a partial of a window published before the
///   checkpoint read after the checkpoint's read position counts as late even when it is an
///   input partition's replay of one already merged — counted, never merged twice.)
///
/// ## What the processor must guarantee
///
/// - One producer at a time per input partition for its partials and markers, in emission
///   order (idempotent, or one request in flight), and the input's commit rule (outputs
///   acknowledged before the input offset is committed), so a new owner re-sends exactly what
///   was not acknowledged.
/// - A fixed partials-topic partition count (``WindowRouting`` spreads windows by it; changing
///   it while partials are in flight splits a window between two mergers).
/// - The input topic's partition count in ``TopologyConfiguration/inputPartitionCount`` (and
///   ``PartitionTopology/inputPartitionCount`` when it changes): with a count too small, a
///   window is complete before the partitions beyond it reported.
public struct WindowMerger: Sendable {
    struct Identity: Hashable, Sendable {
        var partition: Int32
        var tenant: String?
    }

    struct OpenWindow: Sendable {
        var start: Int64
        var end: Int64
        var firstSeenMs: Int64
        var partitionCount: Int32
        var minimumOffset: Int64
        var groups: [String?: MergedGroup] = [:]
        var identities: Set<Identity> = []
    }

    struct Progress: Sendable {
        var completeThrough: Int64
        var offset: Int64
        var partitionCount: Int32
    }

    struct PublishedWindow: Sendable {
        var start: Int64
        var end: Int64
        var identities: Set<Identity>
        var neededOffset: Int64
        /// Records not yet acknowledged.
        var outstanding: Int
    }

    /// The configuration the merger was created with.
    public let configuration: WindowMergerConfiguration
    private let decoder: WindowPartialDecoder
    private var windows: [OpenWindow] = []
    private var progress: [Int32: Progress] = [:]
    private var published: [PublishedWindow] = []
    private var restoredPublishedThrough: Int64?
    private var restoredReadThrough: Int64?
    /// Every window ending at or before this is published (`nil` before the first publication).
    public private(set) var publishedThrough: Int64?
    /// The offset after the last value fed (`nil` before the first).
    public private(set) var nextOffset: Int64?
    /// Counters.
    public private(set) var metrics = WindowMergerMetrics()

    /// Creates a merger with nothing waiting.
    public init(configuration: WindowMergerConfiguration = WindowMergerConfiguration()) {
        self.configuration = configuration
        decoder = WindowPartialDecoder(outcomeLabels: configuration.outcomeLabels)
    }

    // MARK: - Inputs

    /// Decodes one value of the partials topic (read at `offset`, at wall-clock `nowMs`) and
    /// feeds it; a value that is not a valid partial or marker is counted in
    /// ``WindowMergerMetrics/rejectedMessages`` and skipped.
    public mutating func add(value: UnsafeRawBufferPointer, offset: Int64, nowMs: Int64) -> [WindowMergeOutput] {
        switch decoder.decode(value) {
        case let .partial(partial)?: return add(partial, offset: offset, nowMs: nowMs)
        case let .progress(marker)?: return add(marker, offset: offset, nowMs: nowMs)
        case nil:
            metrics.rejectedMessages += 1
            noteOffset(offset)
            return publishReady(nowMs: nowMs)
        }
    }

    /// Feeds one partial read at `offset`.
    public mutating func add(_ partial: WindowPartial, offset: Int64, nowMs: Int64) -> [WindowMergeOutput] {
        noteOffset(offset)
        var outputs: [WindowMergeOutput] = []
        merge(partial, offset: offset, nowMs: nowMs, outputs: &outputs)
        outputs += publishReady(nowMs: nowMs)
        return outputs
    }

    /// Feeds one progress marker read at `offset`.
    public mutating func add(_ marker: WindowProgress, offset: Int64, nowMs: Int64) -> [WindowMergeOutput] {
        noteOffset(offset)
        metrics.progressMarkers += 1
        if marker.inputPartition >= 0, marker.partitionCount > marker.inputPartition {
            let current = progress[marker.inputPartition]
            if current == nil || marker.completeThrough >= current!.completeThrough {
                progress[marker.inputPartition] = Progress(
                    completeThrough: marker.completeThrough, offset: offset, partitionCount: marker.partitionCount)
            }
        } else {
            metrics.rejectedMessages += 1
        }
        return publishReady(nowMs: nowMs)
    }

    /// A wall-clock tick: publishes the windows whose merge timeout passed.
    public mutating func tick(nowMs: Int64) -> [WindowMergeOutput] {
        publishReady(nowMs: nowMs)
    }

    /// The broker acknowledged one published record (stats or alert) of the window starting at
    /// `windowStart`. When all records of a window and of the windows before it are
    /// acknowledged, the window no longer holds back ``minimumNeededOffset`` and
    /// ``checkpoint`` covers it.
    public mutating func acknowledge(windowStart: Int64) {
        guard let index = published.firstIndex(where: { $0.start == windowStart }), published[index].outstanding > 0 else { return }
        published[index].outstanding -= 1
        pruneRemembered()
    }

    /// Restores a committed checkpoint; call it on a fresh merger, before feeding the values from
    /// `checkpoint.offset` on.
    public mutating func restore(_ checkpoint: WindowMergerCheckpoint) {
        restoredPublishedThrough = checkpoint.publishedThrough
        restoredReadThrough = checkpoint.readThrough
        if let through = checkpoint.publishedThrough, through > (publishedThrough ?? .min) { publishedThrough = through }
    }

    // MARK: - State

    /// Windows waiting to be published.
    public var openWindowCount: Int { windows.count }

    /// How far input partition `partition` reported complete (`nil`: no marker yet).
    public func completeThrough(ofInputPartition partition: Int32) -> Int64? { progress[partition]?.completeThrough }

    /// Every window ending at or before this is published and all its records acknowledged.
    public var acknowledgedThrough: Int64? {
        if let first = published.first(where: { $0.outstanding > 0 }) { return first.start }
        return publishedThrough
    }

    /// The smallest partials-topic offset a restart still needs (see the type's Commits rule);
    /// `nil` when nothing is needed. The merge consumer's commit must never pass it.
    public var minimumNeededOffset: Int64? {
        var needed: Int64?
        func note(_ offset: Int64) { needed = min(needed ?? offset, offset) }
        for window in windows { note(window.minimumOffset) }
        for window in published where window.outstanding > 0 { note(window.neededOffset) }
        for entry in progress.values where publishedThrough.map({ entry.completeThrough > $0 }) ?? true { note(entry.offset) }
        return needed
    }

    /// What to commit now: the offset `min(minimumNeededOffset, nextOffset)` with
    /// ``acknowledgedThrough`` and ``nextOffset`` as metadata (`nil` before the first value).
    public var checkpoint: WindowMergerCheckpoint? {
        guard let nextOffset else { return nil }
        return WindowMergerCheckpoint(
            offset: min(minimumNeededOffset ?? nextOffset, nextOffset), publishedThrough: acknowledgedThrough, readThrough: nextOffset)
    }

    // MARK: - Merging

    private mutating func noteOffset(_ offset: Int64) {
        let next = offset == .max ? offset : offset + 1
        if next > (nextOffset ?? .min) { nextOffset = next }
    }

    private mutating func merge(_ partial: WindowPartial, offset: Int64, nowMs: Int64, outputs: inout [WindowMergeOutput]) {
        guard partial.inputPartition >= 0, partial.partitionCount > partial.inputPartition, partial.windowEnd > partial.windowStart,
              let outcomeIndices = outcomeIndices(of: partial)
        else {
            metrics.rejectedMessages += 1
            return
        }
        let identity = Identity(partition: partial.inputPartition, tenant: partial.tenant)
        if let publishedThrough, partial.windowStart < publishedThrough {
            if isKnownReplay(identity, windowStart: partial.windowStart, offset: offset) {
                metrics.duplicatePartials += 1
            } else {
                metrics.latePartials += 1
                outputs.append(.latePartial(
                    inputPartition: partial.inputPartition, tenant: partial.tenant, windowStart: partial.windowStart,
                    publishedThrough: publishedThrough))
            }
            return
        }
        let position = insertionPoint(for: partial.windowStart)
        if position == windows.count || windows[position].start != partial.windowStart {
            windows.insert(OpenWindow(
                start: partial.windowStart, end: partial.windowEnd, firstSeenMs: nowMs,
                partitionCount: partial.partitionCount, minimumOffset: offset), at: position)
        }
        guard windows[position].end == partial.windowEnd else {
            metrics.rejectedMessages += 1
            return
        }
        guard windows[position].identities.insert(identity).inserted else {
            metrics.duplicatePartials += 1
            return
        }
        metrics.partials += 1
        windows[position].partitionCount = max(windows[position].partitionCount, partial.partitionCount)
        windows[position].minimumOffset = min(windows[position].minimumOffset, offset)
        let accuracy = configuration.relativeAccuracy
        let outcomeCount = configuration.outcomeLabels.count
        windows[position].groups[partial.tenant, default: MergedGroup(outcomes: outcomeCount, relativeAccuracy: accuracy)]
            .merge(partial, outcomeIndices: outcomeIndices)
    }

    /// Where each of the partial's outcomes goes in the configured labels (`nil` when one is unknown).
    private func outcomeIndices(of partial: WindowPartial) -> [Int]? {
        var indices: [Int] = []
        indices.reserveCapacity(partial.outcomes.count)
        for outcome in partial.outcomes {
            guard let index = configuration.outcomeLabels.firstIndex(of: outcome.name), outcome.count >= 0 else { return nil }
            indices.append(index)
        }
        return indices
    }

    private func isKnownReplay(_ identity: Identity, windowStart: Int64, offset: Int64) -> Bool {
        if let window = published.last(where: { $0.start == windowStart }) { return window.identities.contains(identity) }
        if let restoredPublishedThrough, let restoredReadThrough, windowStart < restoredPublishedThrough, offset < restoredReadThrough {
            return true  // read, and merged or counted, by the owner that committed the checkpoint
        }
        return false
    }

    private func insertionPoint(for start: Int64) -> Int {
        var low = 0, high = windows.count
        while low < high {
            let middle = (low + high) / 2
            if windows[middle].start < start { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The window's partition count `N` and how many of `0 ..< N` reported it complete.
    private func coverage(of window: OpenWindow) -> (expected: Int32, complete: Int32) {
        var expected = window.partitionCount
        for entry in progress.values where entry.completeThrough >= window.end {
            expected = max(expected, entry.partitionCount)
        }
        var complete: Int32 = 0
        for (partition, entry) in progress where partition < expected && entry.completeThrough >= window.end {
            complete += 1
        }
        return (expected, complete)
    }

    private mutating func publishReady(nowMs: Int64) -> [WindowMergeOutput] {
        var outputs: [WindowMergeOutput] = []
        while let head = windows.first {
            let (expected, complete) = coverage(of: head)
            // A window no partition has reported complete yet is not published by the timeout:
            // every real one is covered right after its first partial (its emitter's marker follows
            // it), so only a bogus far-future window stays uncovered — and publishing it would
            // make every later partial late.
            let timedOut = complete > 0 && nowMs >= EventTimeArithmetic.add(head.firstSeenMs, max(0, configuration.mergeTimeoutMs))
            let overCap = windows.count > max(1, configuration.maximumOpenWindows)
            guard complete >= expected || timedOut || overCap else { break }
            if complete >= expected {
                metrics.completeWindows += 1
            } else {
                metrics.incompleteWindows += 1
                if !timedOut { metrics.windowsPublishedEarly += 1 }
            }
            publish(windows.removeFirst(), expected: expected, complete: complete, into: &outputs)
        }
        return outputs
    }

    private mutating func publish(_ window: OpenWindow, expected: Int32, complete: Int32, into outputs: inout [WindowMergeOutput]) {
        if window.end > (publishedThrough ?? .min) { publishedThrough = window.end }
        var neededOffset = window.minimumOffset
        for entry in progress.values where entry.completeThrough >= window.end { neededOffset = min(neededOffset, entry.offset) }
        let ordered = window.groups.sorted { lhs, rhs in
            switch (lhs.key, rhs.key) {
            case (nil, _): rhs.key != nil
            case (_, nil): false
            case let (left?, right?): left.utf8.lexicographicallyPrecedes(right.utf8)
            }
        }
        let statsEncoder = StatsRecordEncoder()
        let alertEncoder = AlertRecordEncoder()
        var records = 0
        for (tenant, group) in ordered {
            let record = group.record(
                windowStart: window.start, windowEnd: window.end, tenant: tenant, inputPartitions: Int(expected),
                completePartitions: Int(complete), configuration: configuration)
            let key = Array((tenant ?? "").utf8)
            outputs.append(.stats(record, key: key, value: statsEncoder.encode(record)))
            metrics.statsRecords += 1
            records += 1
            if let alert = MergedGroup.alert(for: record, configuration: configuration) {
                outputs.append(.alert(alert, key: key, value: alertEncoder.encode(alert)))
                metrics.alerts += 1
                records += 1
            }
        }
        published.append(PublishedWindow(
            start: window.start, end: window.end, identities: window.identities, neededOffset: neededOffset, outstanding: records))
        pruneRemembered()
    }

    /// Forgets the oldest published windows beyond the remembered count, once acknowledged.
    private mutating func pruneRemembered() {
        var drop = 0
        while published.count - drop > max(0, configuration.rememberedPublishedWindows), published[drop].outstanding == 0 {
            drop += 1
        }
        if drop > 0 { published.removeFirst(drop) }
    }
}
