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
///
/// Tenants and error codes are interned in the aggregator's own ``SymbolTable`` (a reference per
/// group and per listed code, dropped when the group is drained), so that adding a session
/// hashes no `String` and emitting a partial makes none.
public struct WindowAggregator: Sendable {
    private struct OpenWindow: Sendable {
        var start: Int64
        /// The groups, ordered by ``tenantKey(_:)`` (found by binary search).
        var groups: [WindowGroupAggregate] = []
    }

    /// A record waiting for ``drainOutputs(_:)``: a marker, or an emitted group (whose symbols
    /// are released when it is drained).
    private enum PendingOutput: Sendable {
        case partial(start: Int64, end: Int64, group: WindowGroupAggregate)
        /// `since`: the `completeThrough` of the marker before (`nil` for the first).
        case progress(WindowProgress, since: Int64?)
    }

    /// The configuration the aggregator was created with.
    public let configuration: WindowConfiguration
    private let size: Int64
    private let maximumErrorCodes: Int
    /// `,"outcomes":{"<label 0>":` and `,"<label i>":` for the other labels, back to back, escaped
    /// once (the partials' outcome keys); ``outcomeFragmentEnds`` marks where each ends.
    private let outcomeFragments: [UInt8]
    private let outcomeFragmentEnds: [Int]
    /// The tenants and error codes of the open (and queued) groups.
    private var symbols = SymbolTable(capacity: 64)
    /// Windows are sorted by start.
    private var windows: [OpenWindow] = []
    private var outputs: [PendingOutput] = []
    /// Every window ending at or before this has been emitted (`nil` before the first emission).
    public private(set) var emittedThrough: Int64?
    /// The `completeThrough` of the last progress marker (`nil` before the first).
    public private(set) var completeThrough: Int64?
    /// Whether the next marker is handed out as the first (`since` nil: to every partials
    /// partition), because the ones before it were not published (``routeNextMarkerEverywhere()``).
    private var nextMarkerReachesAll = false
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
        self.maximumErrorCodes = max(0, configuration.maximumErrorCodesPerGroup)
        self.inputPartition = max(0, configuration.partition ?? 0)
        self.inputPartitionCount = max(self.inputPartition + 1, configuration.inputPartitionCount)
        var fragments = OutputBuffer(capacity: 256)
        var ends: [Int] = []
        for (position, label) in configuration.outcomeLabels.enumerated() {
            fragments.append(position == 0 ? ",\"outcomes\":{" : ",")
            fragments.appendWindowJSONString(label)
            fragments.append(UInt8(ascii: ":"))
            ends.append(fragments.count)
        }
        outcomeFragments = fragments.bytes
        outcomeFragmentEnds = ends
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
        guard let window = openWindow(forOutcome: contribution.outcome, closeTime: contribution.closeTime) else { return }
        let group: Int
        if configuration.groupByTenant, var tenant = contribution.tenant {
            group = tenant.withUTF8 { groupPosition(in: window, tenant: UnsafeRawBufferPointer($0)) }
        } else {
            group = groupPosition(in: window, tenant: nil)
        }
        let codes = contribution.errorCodes
        for (position, var code) in codes.enumerated() where !codes[..<position].contains(code) {
            code.withUTF8 {
                windows[window].groups[group].countErrorCode(
                    UnsafeRawBufferPointer($0), maximumErrorCodes: maximumErrorCodes, symbols: &symbols)
            }
        }
        finishContribution(
            window: window, group: group, outcome: contribution.outcome, submitted: contribution.submitted,
            hasErrorCodes: !codes.isEmpty, elapsedMilliseconds: contribution.elapsedMilliseconds,
            closeReason: contribution.closeReason, earlyClose: contribution.earlyClose)
    }

    /// Adds one closed session whose tenant and (distinct) error codes are ids in `sessionSymbols`
    /// (the processor's path: their bytes are copied into the aggregator's own table only when a
    /// group or a group's code list first sees them, and no `String` is made).
    mutating func add(
        closeTime: Int64, tenant: SymbolID?, outcome: Int, submitted: Bool, errorCodes: [SymbolID], elapsedMilliseconds: Int64?,
        closeReason: SessionCloseReason, earlyClose: SessionEarlyClose?, sessionSymbols: SymbolTable
    ) {
        guard let window = openWindow(forOutcome: outcome, closeTime: closeTime) else { return }
        let group: Int
        if configuration.groupByTenant, let tenant {
            group = sessionSymbols.withBytes(tenant) { groupPosition(in: window, tenant: $0) }
        } else {
            group = groupPosition(in: window, tenant: nil)
        }
        for code in errorCodes {
            sessionSymbols.withBytes(code) {
                windows[window].groups[group].countErrorCode($0, maximumErrorCodes: maximumErrorCodes, symbols: &symbols)
            }
        }
        finishContribution(
            window: window, group: group, outcome: outcome, submitted: submitted, hasErrorCodes: !errorCodes.isEmpty,
            elapsedMilliseconds: elapsedMilliseconds, closeReason: closeReason, earlyClose: earlyClose)
    }

    /// Emits every window whose end the watermark has reached (`end ≤ watermark`).
    public mutating func advance(to watermark: Int64) {
        while let first = windows.first, EventTimeArithmetic.add(first.start, size) <= watermark {
            emitFirstWindow()
        }
        let boundary = windowStart(containing: watermark)
        if boundary > (emittedThrough ?? .min) { emittedThrough = boundary }
        if boundary > (completeThrough ?? .min) {
            let since = nextMarkerReachesAll ? nil : completeThrough
            nextMarkerReachesAll = false
            completeThrough = boundary
            outputs.append(.progress(WindowProgress(
                inputPartition: inputPartition, partitionCount: inputPartitionCount, completeThrough: boundary), since: since))
            metrics.progressMarkers += 1
        }
    }

    /// Hands the next progress marker out as an input partition's first (`since` nil), so that it
    /// is routed to every partials partition: for a caller that dropped the markers before it
    /// (a replay that rebuilds state without publishing, a watermark restored from a commit).
    public mutating func routeNextMarkerEverywhere() {
        nextMarkerReachesAll = true
    }

    /// Emits every open window now (shutdown or partition revocation).
    public mutating func flush() {
        while !windows.isEmpty { emitFirstWindow() }
    }

    /// Hands the queued records to `body` in order and clears the queue.
    public mutating func drainOutputs(_ body: (WindowOutput) throws -> Void) rethrows {
        defer { clearOutputs() }
        for output in outputs {
            switch output {
            case let .partial(start, end, group): try body(.partial(makePartial(start: start, end: end, group: group)))
            case let .progress(progress, _): try body(.progress(progress))
            }
        }
    }

    /// What a record handed over by ``drainEncodedOutputs(value:key:_:)`` is.
    enum EncodedOutput {
        /// A partial of the window starting at `windowStart`.
        case partial(windowStart: Int64)
        /// A progress marker; `since` is the `completeThrough` of the one before (`nil` for the
        /// first), so it newly reports the windows starting in `since ..< completeThrough` complete.
        case progress(completeThrough: Int64, since: Int64?)
    }

    /// Hands the queued records to `body` in order, encoded (``WindowPartialEncoder``): each
    /// record's value into `value` and its key into `key` (both cleared first), and clears the
    /// queue. The processor's path: partials are written straight from the groups, without a
    /// ``WindowPartial``.
    mutating func drainEncodedOutputs(
        value: inout OutputBuffer, key: inout OutputBuffer, _ body: (EncodedOutput, _ key: OutputBuffer, _ value: OutputBuffer) -> Void
    ) {
        for output in outputs {
            value.removeAll()
            key.removeAll()
            switch output {
            case let .partial(start, end, group):
                encodePartial(start: start, end: end, group: group, into: &value)
                key.appendDecimal(start)
                body(.partial(windowStart: start), key, value)
            case let .progress(progress, since):
                WindowPartialEncoder().encode(progress, into: &value)
                WindowPartialEncoder.appendKey(of: progress, into: &key)
                body(.progress(completeThrough: progress.completeThrough, since: since), key, value)
            }
        }
        clearOutputs()
    }

    // MARK: - Internals

    /// The position of the open window for a session closed at `closeTime` (inserted if needed;
    /// clamped to the earliest window not yet emitted), or `nil` when `outcome` is out of range.
    private mutating func openWindow(forOutcome outcome: Int, closeTime: Int64) -> Int? {
        guard outcome >= 0, outcome < configuration.outcomeLabels.count else {
            metrics.rejectedContributions += 1
            return nil
        }
        metrics.contributions += 1
        var time = closeTime
        if let emittedThrough, time < emittedThrough {
            time = emittedThrough
            metrics.clampedContributions += 1
        }
        let start = windowStart(containing: time)
        let position = insertionPoint(for: start)
        if position == windows.count || windows[position].start != start {
            windows.insert(OpenWindow(start: start), at: position)
        }
        return position
    }

    /// The sort key of a group: 0 for the tenant-less group, else the tenant's id + 1.
    private static func tenantKey(_ tenant: SymbolID?) -> UInt64 {
        tenant.map { UInt64($0.rawValue) + 1 } ?? 0
    }

    /// The position in `groups` of the group with key `key`, or where it would go.
    private static func search(_ groups: [WindowGroupAggregate], key: UInt64) -> (found: Bool, position: Int) {
        var low = 0, high = groups.count
        while low < high {
            let middle = (low + high) / 2
            let k = tenantKey(groups[middle].tenant)
            if k == key { return (true, middle) }
            if k < key { low = middle + 1 } else { high = middle }
        }
        return (false, low)
    }

    /// The position of the group of `tenant` (nil: the tenant-less group) in window `window`,
    /// created if needed; a new tenant beyond the per-window cap goes to the tenant-less group.
    private mutating func groupPosition(in window: Int, tenant bytes: UnsafeRawBufferPointer?) -> Int {
        var tenant: SymbolID? = nil
        if let bytes {
            let known = symbols.lookup(bytes)
            if let known {
                let (found, position) = Self.search(windows[window].groups, key: Self.tenantKey(known))
                if found { return position }
            }
            if windows[window].groups.count >= configuration.maximumTenantsPerWindow {
                metrics.tenantOverflows += 1
            } else if let known {
                symbols.retain(known)
                tenant = known
            } else {
                tenant = symbols.intern(bytes)
            }
        }
        let (found, position) = Self.search(windows[window].groups, key: Self.tenantKey(tenant))
        if !found {
            windows[window].groups.insert(
                WindowGroupAggregate(
                    tenant: tenant, outcomes: configuration.outcomeLabels.count, relativeAccuracy: configuration.relativeAccuracy),
                at: position)
        }
        return position
    }

    /// Counts the rest of a contribution in its group, then enforces the open-window cap.
    private mutating func finishContribution(
        window: Int, group: Int, outcome: Int, submitted: Bool, hasErrorCodes: Bool, elapsedMilliseconds: Int64?,
        closeReason: SessionCloseReason, earlyClose: SessionEarlyClose?
    ) {
        windows[window].groups[group].add(
            outcome: outcome, submitted: submitted, hasErrorCodes: hasErrorCodes, elapsedMilliseconds: elapsedMilliseconds,
            closeReason: closeReason, earlyClose: earlyClose)
        while windows.count > max(1, configuration.maximumOpenWindows) {
            emitFirstWindow()
            metrics.windowsEmittedEarly += 1
        }
    }

    private func insertionPoint(for start: Int64) -> Int {
        var low = 0, high = windows.count
        while low < high {
            let middle = (low + high) / 2
            if windows[middle].start < start { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Queues the first window's groups: tenant-less first, then tenants by their bytes.
    private mutating func emitFirstWindow() {
        let window = windows.removeFirst()
        let end = EventTimeArithmetic.add(window.start, size)
        if end > (emittedThrough ?? .min) { emittedThrough = end }
        // Sort positions, not the groups (large values holding arrays).
        let groups = window.groups
        let ordered = groups.indices.sorted { lhs, rhs in
            switch (groups[lhs].tenant, groups[rhs].tenant) {
            case (nil, _): groups[rhs].tenant != nil
            case (_, nil): false
            case let (left?, right?): symbols.compare(left, right) < 0
            }
        }
        for position in ordered {
            outputs.append(.partial(start: window.start, end: end, group: groups[position]))
            metrics.partials += 1
        }
    }

    /// Empties the queue, releasing the symbols of its groups.
    private mutating func clearOutputs() {
        for output in outputs {
            if case let .partial(_, _, group) = output { group.releaseSymbols(in: &symbols) }
        }
        outputs.removeAll(keepingCapacity: true)
    }

    private func makePartial(start: Int64, end: Int64, group: WindowGroupAggregate) -> WindowPartial {
        WindowPartial(
            inputPartition: inputPartition, partitionCount: inputPartitionCount, tenant: group.tenant.map { symbols.string($0) },
            windowStart: start, windowEnd: end, sessions: group.sessions,
            outcomes: zip(configuration.outcomeLabels, group.outcomeCounts).map { StatsCount(name: $0, count: $1) },
            submissions: group.submissions, submissionsWithErrors: group.submissionsWithErrors,
            errorCodes: group.errorCodes.map { StatsCount(name: symbols.string($0.code), count: $0.count) },
            errorCodesOmitted: group.errorCodesOmitted,
            closedByEvent: group.closedByEvent, inactivityTimeouts: group.inactivityTimeouts, maxDurations: group.maxDurations,
            evicted: group.evicted, flushed: group.flushed, elapsed: group.elapsed
        )
    }

    /// Writes the partial of `group` as ``WindowPartialEncoder`` writes ``makePartial(start:end:group:)``'s result.
    private func encodePartial(start: Int64, end: Int64, group: WindowGroupAggregate, into out: inout OutputBuffer) {
        WindowPartialEncoder.appendHead(
            inputPartition: inputPartition, partitionCount: inputPartitionCount, windowStart: start, windowEnd: end, into: &out)
        if let tenant = group.tenant {
            symbols.withBytes(tenant) { out.appendWindowJSONString($0) }
        } else {
            out.append("null")
        }
        let counts = group.outcomeCounts
        out.appendReserved(upTo: 60 + outcomeFragments.count + counts.count * OutputBuffer.maximumDecimalLength) { room in
            room.append(",\"sessions\":")
            room.appendDecimal(group.sessions)
            outcomeFragments.withUnsafeBytes { fragments in
                var fragmentStart = 0
                for (position, count) in counts.enumerated() {
                    let fragmentEnd = outcomeFragmentEnds[position]
                    room.append(UnsafeRawBufferPointer(rebasing: fragments[fragmentStart..<fragmentEnd]))
                    room.appendDecimal(count)
                    fragmentStart = fragmentEnd
                }
            }
            room.append(counts.isEmpty ? ",\"outcomes\":{}" : "}")
        }
        out.appendSubmissionCounts(submissions: group.submissions, submissionsWithErrors: group.submissionsWithErrors)
        out.append(UInt8(ascii: "["))
        for (position, entry) in group.errorCodes.enumerated() {
            symbols.withBytes(entry.code) { out.appendCodeCount(code: $0, count: entry.count, first: position == 0) }
        }
        out.append(UInt8(ascii: "]"))
        out.appendCloseCounts(
            errorCodesOmitted: group.errorCodesOmitted, closedByEvent: group.closedByEvent,
            inactivityTimeouts: group.inactivityTimeouts, maxDurations: group.maxDurations, evicted: group.evicted,
            flushed: group.flushed)
        WindowPartialEncoder.appendElapsed(group.elapsed, into: &out)
    }
}
