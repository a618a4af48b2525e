/// Tumbling event-time windows of closed sessions per tenant → window partials and progress
/// markers: the first, per-input-partition stage of the two-stage aggregation (the second is
/// ``WindowMerger``, which turns the partials of all partitions into stats records and alerts).
///
/// A pure state machine like ``SessionStore``: ``add(_:)`` each closed session's contribution,
/// ``advance(to:)`` with the watermark, ``drainOutputs(_:)`` the records. Per partition, feed it
/// in this order after every store call: drain the store's closes into `add`, then
/// `advance(to: store.watermark)` — so a session closed by a watermark step lands in its window
/// before that step emits the window.
///
/// ## Rules
///
/// - **Assignment**: a session belongs to the window containing its close time
///   (`[k·size, (k+1)·size)`, aligned to the epoch). If that window was already emitted, it goes to
///   the earliest window not yet emitted instead (counted as `clampedContributions`), so nothing is
///   dropped and no window is emitted twice. Fed as described above, this only happens to a
///   session whose close time was already behind the watermark when it was set (a session opened
///   by, or a `closed` event, older than the watermark); timeouts, evictions and flushes never clamp.
/// - **Emission**: a window is emitted once the watermark reaches its end (`watermark ≥ end`),
///   one ``WindowPartial`` per tenant group with at least one session, groups in order:
///   tenant-less first, then tenants by UTF-8 bytes; windows in start order. Empty windows emit
///   no partial.
/// - **Progress**: after the partials of an ``advance(to:)`` that crosses one or more window
///   ends, one ``WindowProgress`` marker `completeThrough = ` the last window end crossed
///   (the largest `k·size ≤ watermark`), even when those windows were empty — also on the first
///   advance, covering everything before the partition's first window. From then on no partial
///   of a window ending at or before it is emitted (later closes behind it are clamped forward),
///   which is what lets the merger trust the marker.
/// - **Bounded memory**: tenants per window, error codes per group and open windows are capped
///   (see ``WindowConfiguration``).
/// - **Deterministic**: the same contributions and watermarks give the same records in the same order.
public struct WindowAggregator: Sendable {
    private struct OpenWindow: Sendable {
        var start: Int64
        var groups: [String?: WindowGroupAggregate] = [:]
    }

    /// The configuration the aggregator was created with.
    public let configuration: WindowConfiguration
    private let size: Int64
    /// Windows are sorted by start.
    private var windows: [OpenWindow] = []
    private var outputs: [WindowOutput] = []
    /// Every window ending at or before this has been emitted (`nil` before the first emission).
    public private(set) var emittedThrough: Int64?
    /// The `completeThrough` of the last progress marker (`nil` before the first).
    public private(set) var completeThrough: Int64?
    /// The input partition written into partials and markers (``WindowConfiguration/partition``, or 0).
    public let inputPartition: Int32
    /// The input topic's partition count written into partials and markers (the processor updates
    /// it when the topic's metadata changes; default ``WindowConfiguration/inputPartitionCount``).
    public var inputPartitionCount: Int32
    /// Counters.
    public private(set) var metrics = WindowMetrics()

    /// Creates an aggregator with no open windows.
    public init(configuration: WindowConfiguration = WindowConfiguration()) {
        self.configuration = configuration
        self.size = configuration.windowSizeMilliseconds
        self.inputPartition = max(0, configuration.partition ?? 0)
        self.inputPartitionCount = max(self.inputPartition + 1, configuration.inputPartitionCount)
    }

    /// Windows currently collecting sessions.
    public var openWindowCount: Int { windows.count }

    /// Records waiting for ``drainOutputs(_:)``.
    public var pendingOutputCount: Int { outputs.count }

    /// The start of the window containing `time`.
    public func windowStart(containing time: Int64) -> Int64 {
        let remainder = time % size
        return remainder >= 0 ? time - remainder : EventTimeArithmetic.subtract(time - remainder, size)
    }

    /// Adds one closed session.
    public mutating func add(_ contribution: SessionContribution) {
        guard contribution.outcome >= 0, contribution.outcome < configuration.outcomeLabels.count else {
            metrics.rejectedContributions += 1
            return
        }
        metrics.contributions += 1
        var time = contribution.closeTime
        if let emittedThrough, time < emittedThrough {
            time = emittedThrough
            metrics.clampedContributions += 1
        }
        let start = windowStart(containing: time)
        let position = insertionPoint(for: start)
        if position == windows.count || windows[position].start != start {
            windows.insert(OpenWindow(start: start), at: position)
        }
        var tenant = configuration.groupByTenant ? contribution.tenant : nil
        if tenant != nil, windows[position].groups[tenant] == nil,
           windows[position].groups.count >= configuration.maximumTenantsPerWindow {
            tenant = nil
            metrics.tenantOverflows += 1
        }
        windows[position].groups[tenant, default: WindowGroupAggregate(
            outcomes: configuration.outcomeLabels.count, relativeAccuracy: configuration.relativeAccuracy
        )].add(contribution, maximumErrorCodes: max(0, configuration.maximumErrorCodesPerGroup))
        while windows.count > max(1, configuration.maximumOpenWindows) {
            emitFirstWindow()
            metrics.windowsEmittedEarly += 1
        }
    }

    /// Emits every window whose end the watermark has reached (`end ≤ watermark`).
    public mutating func advance(to watermark: Int64) {
        while let first = windows.first, EventTimeArithmetic.add(first.start, size) <= watermark {
            emitFirstWindow()
        }
        let boundary = windowStart(containing: watermark)
        if boundary > (emittedThrough ?? .min) { emittedThrough = boundary }
        if boundary > (completeThrough ?? .min) {
            completeThrough = boundary
            outputs.append(.progress(WindowProgress(
                inputPartition: inputPartition, partitionCount: inputPartitionCount, completeThrough: boundary)))
            metrics.progressMarkers += 1
        }
    }

    /// Emits every open window now (shutdown or partition revocation).
    public mutating func flush() {
        while !windows.isEmpty { emitFirstWindow() }
    }

    /// Hands the queued records to `body` in order and clears the queue.
    public mutating func drainOutputs(_ body: (WindowOutput) throws -> Void) rethrows {
        defer { outputs.removeAll(keepingCapacity: true) }
        for output in outputs { try body(output) }
    }

    private func insertionPoint(for start: Int64) -> Int {
        var low = 0, high = windows.count
        while low < high {
            let middle = (low + high) / 2
            if windows[middle].start < start { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func emitFirstWindow() {
        let window = windows.removeFirst()
        let end = EventTimeArithmetic.add(window.start, size)
        if end > (emittedThrough ?? .min) { emittedThrough = end }
        let ordered = window.groups.sorted { lhs, rhs in
            switch (lhs.key, rhs.key) {
            case (nil, _): rhs.key != nil
            case (_, nil): false
            case let (left?, right?): left.utf8.lexicographicallyPrecedes(right.utf8)
            }
        }
        for (tenant, group) in ordered {
            outputs.append(.partial(makePartial(start: window.start, end: end, tenant: tenant, group: group)))
            metrics.partials += 1
        }
    }

    private func makePartial(start: Int64, end: Int64, tenant: String?, group: WindowGroupAggregate) -> WindowPartial {
        WindowPartial(
            inputPartition: inputPartition, partitionCount: inputPartitionCount, tenant: tenant,
            windowStart: start, windowEnd: end, sessions: group.sessions,
            outcomes: zip(configuration.outcomeLabels, group.outcomeCounts).map { StatsCount(name: $0, count: $1) },
            submissions: group.submissions, submissionsWithErrors: group.submissionsWithErrors,
            errorCodes: group.errorCodes.map { StatsCount(name: $0.key, count: $0.value) }
                .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) },
            errorCodesOmitted: group.errorCodesOmitted,
            closedByEvent: group.closedByEvent, inactivityTimeouts: group.inactivityTimeouts, maxDurations: group.maxDurations,
            evicted: group.evicted, flushed: group.flushed, elapsed: group.elapsed
        )
    }
}
