import Testing

@testable import CallbackStreamCore

/// The first stage: what a partition's ``WindowAggregator`` emits for the merge stage.
@Suite struct PartialEmissionTests {
    private func session(at time: Int64, tenant: String? = "t", elapsed: Int64? = 500) -> SessionContribution {
        SessionContribution(
            closeTime: time, tenant: tenant, outcome: 0, submitted: true, errorCodes: [], elapsedMilliseconds: elapsed,
            closeReason: .closed)
    }

    private func drain(_ aggregator: inout WindowAggregator) -> [WindowOutput] {
        var outputs: [WindowOutput] = []
        aggregator.drainOutputs { outputs.append($0) }
        return outputs
    }

    @Test func oneMarkerPerAdvanceThatCrossesWindowEndsAfterThePartials() {
        var aggregator = WindowAggregator(configuration: WindowConfiguration(partition: 2, inputPartitionCount: 4))
        aggregator.add(session(at: 61_000))
        aggregator.advance(to: 61_500)  // first advance: covers everything before the partition's first window
        #expect(drain(&aggregator) == [.progress(WindowProgress(inputPartition: 2, partitionCount: 4, completeThrough: 60_000))])
        aggregator.advance(to: 100_000)  // no window end crossed: nothing
        #expect(drain(&aggregator).isEmpty)
        aggregator.add(session(at: 130_000, tenant: nil))
        aggregator.inputPartitionCount = 6  // the topic grew
        aggregator.advance(to: 400_000)  // crosses 120 s … 360 s at once: the partials, then one marker
        let outputs = drain(&aggregator)
        #expect(outputs.count == 3)
        guard case let .partial(first)? = outputs.first, case let .partial(second) = outputs[1] else {
            Issue.record("\(outputs)")
            return
        }
        #expect(first.windowStart == 60_000 && first.windowEnd == 120_000 && first.tenant == "t" && first.partitionCount == 6)
        #expect(second.windowStart == 120_000 && second.tenant == nil && second.inputPartition == 2)
        #expect(outputs[2] == .progress(WindowProgress(inputPartition: 2, partitionCount: 6, completeThrough: 360_000)))
        #expect(aggregator.metrics.partials == 2 && aggregator.metrics.progressMarkers == 2)
        // A close behind the marker goes to the earliest window not yet complete: no partial of a
        // covered window can follow its marker.
        aggregator.add(session(at: 200_000))
        aggregator.advance(to: 420_000)
        let later = drain(&aggregator)
        #expect(later.count == 2)
        if case let .partial(moved)? = later.first { #expect(moved.windowStart == 360_000) }
        #expect(aggregator.metrics.clampedContributions == 1)
    }

    @Test func partialsCarryTheWholeSketch() {
        var aggregator = WindowAggregator()
        for value: Int64 in [0, 1, 10, 1_000, 1_000, 100_000] { aggregator.add(session(at: 5, elapsed: value)) }
        aggregator.add(session(at: 5, elapsed: nil))
        aggregator.advance(to: 60_000)
        guard case let .partial(partial)? = drain(&aggregator).first else {
            Issue.record("no partial")
            return
        }
        #expect(partial.sessions == 7 && partial.elapsed.count == 6 && partial.elapsed.zeroCount == 1)
        #expect(partial.elapsed.bins.reduce(0) { $0 + Int($1) } == 5)
        var whole = DDSketch()
        for value: Int64 in [0, 1, 10, 1_000, 1_000, 100_000] { whole.add(value) }
        #expect(partial.elapsed == whole)
    }

    @Test func aMarkerGoesToThePartitionsOfTheWindowsItNewlyReportsComplete() {
        let t0: Int64 = 1_767_225_600_000
        func targets(since: Int64?, through: Int64, count: Int32 = 12) -> [Int32] {
            var partitions: [Int32] = []
            WindowRouting.forEachProgressPartition(since: since, through: through, windowSize: 60_000, partialsPartitionCount: count) {
                partitions.append($0)
            }
            return partitions
        }
        func partition(_ windowStart: Int64, count: Int32 = 12) -> Int32 {
            WindowRouting.partialsPartition(windowStart: windowStart, partialsPartitionCount: count)
        }
        // An input partition's first marker: everywhere (it covers every earlier window).
        #expect(targets(since: nil, through: t0) == Array(0 ..< 12))
        // One window passed: only its merger.
        #expect(targets(since: t0, through: t0 + 60_000) == [partition(t0)])
        #expect(targets(since: t0, through: t0 + 60_000) == [9])
        // Three windows: their mergers, each once, in order.
        let three = Set([t0, t0 + 60_000, t0 + 120_000].map { partition($0) }).sorted()
        #expect(targets(since: t0, through: t0 + 180_000) == three)
        // As many windows as partitions, or an idle jump of months: everywhere.
        #expect(targets(since: t0, through: t0 + 12 * 60_000) == Array(0 ..< 12))
        #expect(targets(since: t0, through: t0 + 86_400_000 * 300) == Array(0 ..< 12))
        #expect(targets(since: Int64.min / 60_000 * 60_000, through: t0) == Array(0 ..< 12))
        // Nothing newly complete: nowhere; one partials partition: that one.
        #expect(targets(since: t0, through: t0).isEmpty)
        #expect(targets(since: t0, through: t0 + 60_000, count: 1) == [0])
        #expect(targets(since: t0, through: t0 + 60_000, count: 0) == [0])
        // Every window of a long run is reached on its partition by some marker.
        var since: Int64? = nil
        var reached = Set<Int64>()
        for step in [1, 1, 2, 1, 5, 1, 3, 1, 1, 13, 1] as [Int64] {
            let through = (since ?? t0) + step * 60_000
            let partitions = targets(since: since, through: through)
            var start = since ?? (t0 - 60_000)
            while start < through {
                if partitions.contains(partition(start)) { reached.insert(start) }
                start += 60_000
            }
            since = through
        }
        #expect(reached.count == 31)  // t0 − 1 min (covered by the first marker) … t0 + 29 min
    }

    @Test func routingSpreadsWindowsAndSendsMarkersEverywhere() {
        #expect(WindowRouting.partialsPartition(windowStart: 60_000, partialsPartitionCount: 1) == 0)
        #expect(WindowRouting.partialsPartition(windowStart: 60_000, partialsPartitionCount: 0) == 0)
        var counts = [Int](repeating: 0, count: 6)
        for k in 0 ..< 6_000 as Range<Int64> {
            let partition = WindowRouting.partialsPartition(windowStart: 1_767_225_600_000 + k * 60_000, partialsPartitionCount: 6)
            counts[Int(partition)] += 1
            #expect(partition == WindowRouting.partialsPartition(windowStart: 1_767_225_600_000 + k * 60_000, partialsPartitionCount: 6))
        }
        #expect(counts.allSatisfy { $0 > 800 && $0 < 1_200 }, "\(counts)")
        // Pinned: the routing must not change between versions (a merger would miss partials).
        #expect(WindowRouting.partialsPartition(windowStart: 1_767_225_600_000, partialsPartitionCount: 12) == 9)
        #expect(WindowRouting.progressPartitions(partialsPartitionCount: 3) == 0 ..< 3)
    }

    @Test func anEmptyPartitionCanReportProgressWithoutEvents() {
        let t0: Int64 = 1_767_225_600_000
        let topology = PartitionTopology(partition: 1, configuration: TopologyConfiguration(
            inactivityTimeoutMs: 10_000, allowedLatenessMs: 1_000, idleAdvanceAfterMs: 2_000, inputPartitionCount: 2))
        var outputs: [String] = []
        func collect(_ output: TopologyOutput) {
            switch output.info {
            case let .progress(through, _, _): outputs.append("progress \(through)")
            case let .partial(start): outputs.append("partial \(start)")
            default: outputs.append("other")
            }
        }
        topology.advanceWindowsOfEmptyPartition(to: t0 + 130_000, emit: collect)
        #expect(outputs == ["progress \(t0 + 120_000)"])
        #expect(topology.watermark == Int64.min)  // the sessions' watermark is untouched
        // An event older than the marker: its session counts in the first window after it.
        var key = "k", value = #"{"interactionId":"k","event":"opened","timestamp":\#(t0 + 1_000)}"#
        key.withUTF8 { k in
            value.withUTF8 { v in
                topology.process(key: UnsafeRawBufferPointer(k), value: UnsafeRawBufferPointer(v), offset: 0, arrivalMs: 0, emit: collect)
            }
        }
        topology.advanceWindowsOfEmptyPartition(to: t0 + 600_000, emit: collect)  // has a watermark now: no effect
        topology.tick(nowMs: 3_600_000, emit: collect)
        #expect(outputs.contains("partial \(t0 + 120_000)"))
        #expect(!outputs.contains { $0.hasPrefix("partial") && $0 != "partial \(t0 + 120_000)" })
    }
}
