import Testing
@testable import CallbackStreamService

/// The ring buffer behind `/api/history`, driven by hand-picked times (no clock, no sleeps).
@Suite struct ThroughputHistoryTests {
    private func sample(_ atMs: Int64, _ consumed: UInt64 = 0) -> ThroughputHistory.Sample {
        .init(atMs: atMs, consumed: consumed, summaries: consumed / 10)
    }

    @Test func keepsTheNewestCapacitySamplesOldestFirst() {
        var history = ThroughputHistory(capacity: 4, spacingMs: 1_000)
        let kept = (0..<10).map { second in history.record(sample(Int64(second) * 1_000, UInt64(second))) }
        #expect(kept.allSatisfy { $0 })
        #expect(history.samples.map(\.atMs) == [6_000, 7_000, 8_000, 9_000])
        #expect(history.samples.map(\.consumed) == [6, 7, 8, 9])
        #expect(history.newest?.atMs == 9_000)
    }

    @Test func fillsInOrderBeforeItWraps() {
        var history = ThroughputHistory(capacity: 4, spacingMs: 1_000)
        #expect(history.samples.isEmpty)
        #expect(history.newest == nil)
        history.record(sample(1_000))
        history.record(sample(2_000))
        #expect(history.samples.map(\.atMs) == [1_000, 2_000])
    }

    @Test func dropsSamplesCloserThanTheSpacing() {
        var history = ThroughputHistory(capacity: 10, spacingMs: 1_000)
        let kept = [10_000, 10_500, 10_999, 11_000].map { history.record(sample($0)) }
        #expect(kept == [true, false, false, true])
        #expect(history.samples.map(\.atMs) == [10_000, 11_000])
    }

    @Test func aClockSteppingBackStartsAfresh() {
        var history = ThroughputHistory(capacity: 3, spacingMs: 1_000)
        for atMs: Int64 in [1_000, 2_000, 3_000, 4_000] { history.record(sample(atMs)) }
        let kept = history.record(sample(2_500))
        #expect(kept)
        #expect(history.samples.map(\.atMs) == [2_500])
        history.record(sample(3_500))
        history.record(sample(4_500))
        history.record(sample(5_500))
        #expect(history.samples.map(\.atMs) == [3_500, 4_500, 5_500])
    }

    @Test func theDashboardHistoryCoversFiveMinutesAndTheRateWindow() {
        var history = ThroughputHistory()
        for second in 0..<1_000 { history.record(sample(Int64(second) * 1_000, UInt64(second))) }
        #expect(history.samples.count == 306)
        #expect(history.samples.first?.atMs == 694_000)
        #expect(history.samples.last?.atMs == 999_000)
    }

    @Test func aSampleTakesTheConsumedTotalAndTheDeliveredSummaries() {
        var snapshot = MetricsSnapshot()
        snapshot.consumedByPartition = [0: 5, 3: 7]
        snapshot.producedByOutput = [.summaries: 4, .dlq: 9]
        snapshot.summaries = [.init(outcome: "notOpened", closeReason: "inactivityTimeout"): 2]
        #expect(ThroughputHistory.Sample(snapshot, atMs: 42) == .init(atMs: 42, consumed: 12, summaries: 4))
    }

    @Test func historyJSONListsTheSamplesOldestFirst() {
        let json = OverviewRenderer.renderHistory(
            [.init(atMs: 1_000, consumed: 3, summaries: 1), .init(atMs: 2_000, consumed: 5, summaries: 2)],
            spacingMs: 1_000, nowMs: 2_500)
        #expect(json == #"{"schemaVersion":1,"nowMs":2500,"spacingMs":1000,"samples":[{"t":1000,"consumed":3,"summaries":1},{"t":2000,"consumed":5,"summaries":2}]}"# + "\n")
        #expect(OverviewRenderer.renderHistory([], spacingMs: 1_000, nowMs: 7) == #"{"schemaVersion":1,"nowMs":7,"spacingMs":1000,"samples":[]}"# + "\n")
    }
}
