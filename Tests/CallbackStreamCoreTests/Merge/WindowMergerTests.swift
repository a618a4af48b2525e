import Testing

@testable import CallbackStreamCore

/// Builds partials and markers by hand and drives a ``WindowMerger``.
struct MergeDriver {
    var merger: WindowMerger
    var offset: Int64 = 0
    var outputs: [WindowMergeOutput] = []
    var now: Int64 = 0

    init(_ configuration: WindowMergerConfiguration = WindowMergerConfiguration(alertMinVolume: 4, mergeTimeoutMs: 10_000)) {
        merger = WindowMerger(configuration: configuration)
    }

    static func partial(
        _ partition: Int32, of count: Int32 = 3, tenant: String? = "a", start: Int64 = 0, sessions: Int = 2,
        submissions: Int = 0, withErrors: Int = 0, codes: [String: Int] = [:], elapsed: [Int64] = []
    ) -> WindowPartial {
        var sketch = DDSketch()
        for value in elapsed { sketch.add(value) }
        return WindowPartial(
            inputPartition: partition, partitionCount: count, tenant: tenant, windowStart: start, windowEnd: start + 60_000,
            sessions: sessions,
            outcomes: zip(WindowConfiguration.contractOutcomeLabels, [sessions, 0, 0, 0, 0, 0]).map { StatsCount(name: $0, count: $1) },
            submissions: submissions, submissionsWithErrors: withErrors,
            errorCodes: codes.map { StatsCount(name: $0.key, count: $0.value) }.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) },
            errorCodesOmitted: 0, closedByEvent: sessions, inactivityTimeouts: 0, evicted: 0, flushed: 0, elapsed: sketch)
    }

    /// Feeds a partial through its wire form (encoder → decoder), as the processor would.
    @discardableResult
    mutating func send(_ partial: WindowPartial) -> [WindowMergeOutput] {
        let produced = WindowPartialEncoder().encode(partial).withUnsafeBytes { merger.add(value: $0, offset: offset, nowMs: now) }
        offset += 1
        outputs += produced
        return produced
    }

    @discardableResult
    mutating func mark(_ partition: Int32, of count: Int32 = 3, through: Int64) -> [WindowMergeOutput] {
        let marker = WindowProgress(inputPartition: partition, partitionCount: count, completeThrough: through)
        let produced = WindowPartialEncoder().encode(marker).withUnsafeBytes { merger.add(value: $0, offset: offset, nowMs: now) }
        offset += 1
        outputs += produced
        return produced
    }

    @discardableResult
    mutating func tick(_ nowMs: Int64) -> [WindowMergeOutput] {
        now = nowMs
        let produced = merger.tick(nowMs: nowMs)
        outputs += produced
        return produced
    }

    var stats: [WindowStatsRecord] { outputs.compactMap { if case let .stats(record, _, _) = $0 { record } else { nil } } }
    var alerts: [ErrorSpikeAlert] { outputs.compactMap { if case let .alert(alert, _, _) = $0 { alert } else { nil } } }
}

@Suite struct WindowMergerTests {
    typealias D = MergeDriver

    @Test func aWindowIsPublishedOnceEveryPartitionReportedIt() {
        var d = MergeDriver()
        d.send(D.partial(0, sessions: 2, submissions: 2, withErrors: 1, codes: ["E1": 1], elapsed: [100, 200]))
        d.send(D.partial(2, sessions: 3, submissions: 3, withErrors: 1, codes: ["E1": 1, "E0": 1], elapsed: [300]))
        d.send(D.partial(2, tenant: nil, sessions: 1))
        #expect(d.mark(0, through: 60_000).isEmpty)
        #expect(d.mark(2, through: 120_000).isEmpty)
        #expect(d.merger.minimumNeededOffset == 0)
        let published = d.mark(1, through: 60_000)  // partition 1 had nothing in the window
        #expect(published.count == 3)
        #expect(d.stats.map(\.tenant) == [nil, "a"])
        let record = d.stats[1]
        #expect(record.sessions == 5 && record.submissions == 5 && record.submissionsWithErrors == 2)
        #expect(record.errorCodes == [StatsCount(name: "E0", count: 1), StatsCount(name: "E1", count: 2)])
        #expect(record.inputPartitions == 3 && record.completePartitions == 3)
        #expect(record.elapsed.count == 3 && record.elapsed.minimum == 100 && record.elapsed.maximum == 300)
        #expect(record.statsId == "a:0")
        #expect(d.alerts.map(\.alertId) == ["a:0"])  // 2 / 5 > 0.2 over 5 ≥ 4 submissions
        guard case let .stats(_, key, value) = published[1] else {
            Issue.record("\(published)")
            return
        }
        #expect(key == Array("a".utf8))
        #expect(String(decoding: value, as: UTF8.self).hasPrefix(#"{"schemaVersion":2,"statsId":"a:0","windowStart":0,"windowEnd":60000,"tenant":"a","inputPartitions":3,"completePartitions":3,"sessions":5,"#))
        #expect(d.merger.metrics.completeWindows == 1 && d.merger.metrics.partials == 3)
        #expect(d.merger.publishedThrough == 60_000 && d.merger.openWindowCount == 0)
    }

    @Test func aWindowWithoutPartialsPublishesNothing() {
        var d = MergeDriver()
        for partition in 0 ..< 3 as Range<Int32> { d.mark(partition, through: 600_000) }
        d.tick(1_000_000)
        #expect(d.outputs.isEmpty && d.merger.publishedThrough == nil)
        #expect(d.merger.completeThrough(ofInputPartition: 1) == 600_000)
    }

    @Test func anAlertNeedsTheRatioOverAllPartitionsNotInOne() {
        var d = MergeDriver(WindowMergerConfiguration(alertThreshold: 0.2, alertMinVolume: 20))
        // Tenant "local": partition 0 alone would alert (10 of 25), all partitions together do not.
        d.send(D.partial(0, tenant: "local", sessions: 25, submissions: 25, withErrors: 10, codes: ["X": 10]))
        d.send(D.partial(1, tenant: "local", sessions: 25, submissions: 25))
        d.send(D.partial(2, tenant: "local", sessions: 25, submissions: 25))
        // Tenant "spread": 3 errors of 7 per partition, under the volume in each, 9 of 21 together.
        for partition in 0 ..< 3 as Range<Int32> {
            d.send(D.partial(partition, tenant: "spread", sessions: 7, submissions: 7, withErrors: 3, codes: ["Y": 3]))
        }
        for partition in 0 ..< 3 as Range<Int32> { d.mark(partition, through: 60_000) }
        #expect(d.stats.count == 2)
        #expect(d.alerts.map(\.tenant) == ["spread"])
        #expect(d.alerts.first?.submissions == 21 && d.alerts.first?.submissionsWithErrors == 9)
        #expect(d.alerts.first?.topErrorCodes == [StatsCount(name: "Y", count: 9)])
    }

    @Test func aSilentPartitionDelaysTheWindowUntilTheTimeoutThenLatePartialsAreCounted() {
        var d = MergeDriver()
        d.now = 1_000
        d.send(D.partial(0, sessions: 1))
        d.now = 5_000
        d.send(D.partial(1, sessions: 1))
        d.mark(0, through: 60_000)
        d.mark(1, through: 60_000)
        #expect(d.tick(10_999).isEmpty)  // 10 s after the first partial (at 1 000), not after the last
        let published = d.tick(11_000)
        #expect(published.count == 1)
        #expect(d.stats.first?.inputPartitions == 3 && d.stats.first?.completePartitions == 2 && d.stats.first?.sessions == 2)
        #expect(d.merger.metrics.incompleteWindows == 1 && d.merger.metrics.completeWindows == 0)
        // Partition 2 comes back: its partial is late (counted and reported, not merged) …
        let late = d.send(D.partial(2, sessions: 4))
        #expect(late == [.latePartial(inputPartition: 2, tenant: "a", windowStart: 0, publishedThrough: 60_000)])
        #expect(d.merger.metrics.latePartials == 1)
        // … while a replay of a merged partial is a duplicate, not late.
        d.send(D.partial(0, sessions: 1))
        #expect(d.merger.metrics.duplicatePartials == 1 && d.merger.metrics.latePartials == 1)
        #expect(d.stats.count == 1)
    }

    @Test func replayedPartialsOfAnOpenWindowAreMergedOnce() {
        var d = MergeDriver()
        d.send(D.partial(0, sessions: 2))
        d.send(D.partial(0, sessions: 2))
        d.send(D.partial(0, sessions: 9))  // same identity, different content: the first one wins
        d.send(D.partial(0, tenant: "b", sessions: 1))
        for partition in 0 ..< 3 as Range<Int32> { d.mark(partition, through: 60_000) }
        #expect(d.stats.map(\.sessions) == [2, 1])
        #expect(d.merger.metrics.duplicatePartials == 2 && d.merger.metrics.partials == 2)
    }

    @Test func windowsArePublishedInStartOrder() {
        var d = MergeDriver()
        d.send(D.partial(0, start: 60_000))
        d.send(D.partial(1, start: 0))
        d.mark(0, through: 120_000)
        d.mark(2, through: 120_000)
        d.mark(1, through: 60_000)  // completes [0, 60 s); [60 s, 120 s) still waits for partition 1
        #expect(d.stats.map(\.windowStart) == [0])
        d.mark(1, through: 120_000)
        #expect(d.stats.map(\.windowStart) == [0, 60_000])
        // A later window that times out first waits for the earlier one.
        d.now = 100
        d.send(D.partial(0, start: 240_000))
        d.now = 5_000
        d.send(D.partial(0, start: 180_000))
        d.mark(0, through: 300_000)
        d.tick(10_100)  // 240 000 timed out, 180 000 (first seen at 5 000) not yet
        #expect(d.stats.map(\.windowStart) == [0, 60_000])
        d.tick(15_000)
        #expect(d.stats.map(\.windowStart) == [0, 60_000, 180_000, 240_000])
    }

    /// A window no partition has reached (a bogus far-future partial) is not published by the
    /// timeout, so it cannot make every later partial late; it waits at the end of the queue.
    @Test func aWindowNoPartitionReachedIsNotPublishedByTheTimeout() {
        var d = MergeDriver()
        d.send(D.partial(1, start: 60_000 * 1_000_000))
        d.tick(1_000_000)
        #expect(d.stats.isEmpty && d.merger.openWindowCount == 1)
        d.now = 1_000_000
        d.send(D.partial(0, start: 0))
        d.mark(0, through: 60_000)
        d.tick(1_010_000)
        #expect(d.stats.map(\.windowStart) == [0])
        #expect(d.merger.publishedThrough == 60_000 && d.merger.openWindowCount == 1)
    }

    @Test func theErrorCodeCapKeepsTheMostFrequentOfTheMergedCounts() {
        var d = MergeDriver(WindowMergerConfiguration(mergeTimeoutMs: 1, maximumErrorCodesPerGroup: 2))
        d.send(D.partial(0, sessions: 9, codes: ["A": 1, "B": 5]))
        d.send(D.partial(1, sessions: 9, codes: ["A": 1, "C": 4]))
        d.send(D.partial(2, sessions: 9, codes: ["A": 1, "D": 4]))
        for partition in 0 ..< 3 as Range<Int32> { d.mark(partition, through: 60_000) }
        // B 5, C 4, D 4, A 3: keep B and C (C before D on ties), omit D and A.
        #expect(d.stats.first?.errorCodes == [StatsCount(name: "B", count: 5), StatsCount(name: "C", count: 4)])
        #expect(d.stats.first?.errorCodesOmitted == 7)
    }

    @Test func theOpenWindowCapPublishesTheEarliestEarly() {
        var d = MergeDriver(WindowMergerConfiguration(maximumOpenWindows: 2))
        for k in 0 ..< 3 as Range<Int64> { d.send(D.partial(0, start: k * 60_000)) }
        #expect(d.stats.map(\.windowStart) == [0])
        #expect(d.merger.metrics.windowsPublishedEarly == 1 && d.merger.metrics.incompleteWindows == 1)
    }

    @Test func garbageAndInconsistentPartialsAreRejected() {
        var d = MergeDriver()
        #expect(Array("{\"nope\":1}".utf8).withUnsafeBytes { d.merger.add(value: $0, offset: 0, nowMs: 0) }.isEmpty)
        var other = D.partial(1)
        other.windowEnd = 30_000
        d.send(D.partial(0))
        d.send(other)  // another window end for the same start
        var unknown = D.partial(2)
        unknown.outcomes[0].name = "reopened"
        d.send(unknown)
        #expect(d.merger.metrics.rejectedMessages == 3 && d.merger.metrics.partials == 1)
        #expect(d.merger.nextOffset == 3)
    }

    /// The input topic grows from 2 to 3 partitions, then shrinks back to 2 (re-created).
    @Test func aChangeOfThePartitionCountIsFollowed() {
        var d = MergeDriver()
        // Window 0: announced with 2 partitions, complete with 2.
        d.send(D.partial(0, of: 2, start: 0))
        d.mark(0, of: 2, through: 60_000)
        d.mark(1, of: 2, through: 60_000)
        #expect(d.stats.last?.inputPartitions == 2 && d.stats.last?.completePartitions == 2)
        // Window 1: partials say 2, but the new partition 2's marker (3) covers it: it waits for 0 … 2.
        d.send(D.partial(0, of: 2, start: 60_000))
        d.mark(2, of: 3, through: 120_000)
        d.mark(0, of: 2, through: 120_000)
        #expect(d.stats.count == 1)
        d.mark(1, of: 2, through: 120_000)
        #expect(d.stats.count == 2 && d.stats.last?.inputPartitions == 3 && d.stats.last?.completePartitions == 3)
        // Window 2: a partial of a partition that only the new metadata knows (3 of 4) raises N to 4.
        d.send(D.partial(3, of: 4, start: 120_000))
        for partition in 0 ..< 3 as Range<Int32> { d.mark(partition, of: 3, through: 180_000) }
        #expect(d.stats.count == 2)
        d.mark(3, of: 4, through: 180_000)
        #expect(d.stats.count == 3 && d.stats.last?.inputPartitions == 4)
        // Shrink to 2: the old partitions 2 and 3 stop; their markers do not cover later windows,
        // so a window announced with 2 by everyone is complete with 2 …
        d.send(D.partial(0, of: 2, start: 180_000))
        d.mark(0, of: 2, through: 240_000)
        d.mark(1, of: 2, through: 240_000)
        #expect(d.stats.count == 4 && d.stats.last?.inputPartitions == 2 && d.stats.last?.completePartitions == 2)
        // … and one still announced with the old count (a stale emitter) waits for the timeout.
        d.now = 50_000
        d.send(D.partial(0, of: 4, start: 240_000))
        d.mark(0, of: 2, through: 300_000)
        d.mark(1, of: 2, through: 300_000)
        #expect(d.stats.count == 4)
        d.tick(60_000)
        #expect(d.stats.count == 5 && d.stats.last?.inputPartitions == 4 && d.stats.last?.completePartitions == 2)
        #expect(d.merger.metrics.incompleteWindows == 1 && d.merger.metrics.completeWindows == 4)
    }

    @Test func theNeededOffsetCoversOpenAndUnacknowledgedWindowsAndLeadingMarkers() {
        var d = MergeDriver()
        #expect(d.merger.minimumNeededOffset == nil && d.merger.checkpoint == nil)
        d.mark(0, through: 0)  // offset 0: ahead of nothing published yet
        #expect(d.merger.minimumNeededOffset == 0)
        d.send(D.partial(1, start: 0))  // 1
        d.mark(0, through: 60_000)  // 2
        d.mark(1, through: 60_000)  // 3
        #expect(d.merger.minimumNeededOffset == 1)
        d.mark(2, through: 60_000)  // 4: published, not acknowledged
        #expect(d.stats.count == 1)
        #expect(d.merger.minimumNeededOffset == 1)
        #expect(d.merger.checkpoint == WindowMergerCheckpoint(offset: 1, publishedThrough: 0, readThrough: 5))  // acknowledged through the unacknowledged window's start
        d.merger.acknowledge(windowStart: 0)
        // Acknowledged; the markers at 2 … 4 are no longer ahead of what is published.
        #expect(d.merger.minimumNeededOffset == nil)
        #expect(d.merger.checkpoint == WindowMergerCheckpoint(offset: 5, publishedThrough: 60_000, readThrough: 5))
        d.mark(0, through: 120_000)  // 5: ahead of the published windows: needed
        d.send(D.partial(0, start: 60_000))  // 6
        #expect(d.merger.minimumNeededOffset == 5)
        #expect(d.merger.checkpoint?.metadata == "wm1 p=60000 r=7")
        #expect(WindowMergerCheckpoint(offset: 5, metadata: "wm1 p=60000 r=7") == d.merger.checkpoint)
        #expect(WindowMergerCheckpoint(offset: 5, metadata: "wm1 p=- r=-") == WindowMergerCheckpoint(offset: 5, publishedThrough: nil, readThrough: nil))
        #expect(WindowMergerCheckpoint(offset: 5, metadata: "cs1 e=4 w=7") == nil)
        #expect(WindowMergerCheckpoint(offset: 5, metadata: "wm1 p=x r=7") == nil)
    }
}
