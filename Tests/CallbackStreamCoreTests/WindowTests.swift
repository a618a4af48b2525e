import TestSupport
import Testing
@testable import CallbackStreamCore

@Suite struct WindowTests {
    private static let completed = 0, failed = 1, abandonedForm = 2, notOpened = 5

    private func session(
        at time: Int64, tenant: String? = nil, outcome: Int = completed, submitted: Bool = true,
        errors: [String] = [], elapsed: Int64? = 1_000, reason: SessionCloseReason = .closed,
        early: SessionEarlyClose? = nil
    ) -> SessionContribution {
        SessionContribution(
            closeTime: time, tenant: tenant, outcome: outcome, submitted: submitted, errorCodes: errors,
            elapsedMilliseconds: elapsed, closeReason: reason, earlyClose: early
        )
    }

    private func drain(_ aggregator: inout WindowAggregator) -> [WindowOutput] {
        var outputs: [WindowOutput] = []
        aggregator.drainOutputs { outputs.append($0) }
        return outputs
    }

    private func stats(_ outputs: [WindowOutput]) -> [WindowPartial] {
        outputs.compactMap { if case let .partial(partial) = $0 { partial } else { nil } }
    }

    /// The aggregator's outputs through a merger (one input partition: its markers complete the windows).
    private func merged(_ outputs: [WindowOutput], _ configuration: WindowMergerConfiguration = WindowMergerConfiguration()) -> [WindowMergeOutput] {
        var merger = WindowMerger(configuration: configuration)
        var result: [WindowMergeOutput] = []
        for (offset, output) in outputs.enumerated() {
            switch output {
            case let .partial(partial): result += merger.add(partial, offset: Int64(offset), nowMs: 0)
            case let .progress(marker): result += merger.add(marker, offset: Int64(offset), nowMs: 0)
            }
        }
        return result
    }

    private func alerts(_ outputs: [WindowOutput], _ configuration: WindowMergerConfiguration = WindowMergerConfiguration()) -> [ErrorSpikeAlert] {
        merged(outputs, configuration).compactMap { if case let .alert(alert, _, _) = $0 { alert } else { nil } }
    }

    @Test func windowsCloseWhenTheWatermarkReachesTheirEnd() {
        var aggregator = WindowAggregator()
        #expect(aggregator.windowStart(containing: 119_999) == 60_000)
        #expect(aggregator.windowStart(containing: -1) == -60_000)
        aggregator.add(session(at: 60_000))
        aggregator.add(session(at: 119_999))
        aggregator.add(session(at: 120_000))
        aggregator.advance(to: 119_999)
        #expect(drain(&aggregator) == [.progress(WindowProgress(inputPartition: 0, partitionCount: 1, completeThrough: 60_000))])
        aggregator.advance(to: 120_000)
        let records = stats(drain(&aggregator))
        #expect(records.map(\.windowStart) == [60_000])
        #expect(records.first?.windowEnd == 120_000)
        #expect(records.first?.sessions == 2)
        #expect(aggregator.openWindowCount == 1)
        aggregator.flush()
        #expect(stats(drain(&aggregator)).map(\.windowStart) == [120_000])
    }

    @Test func sessionsEndedAtTheMaximumDurationAreCountedApartAndMerged() throws {
        var aggregator = WindowAggregator(configuration: WindowConfiguration(partition: 0, inputPartitionCount: 1))
        aggregator.add(session(at: 1_000, reason: .maxDuration))
        aggregator.add(session(at: 2_000, reason: .maxDuration))
        aggregator.add(session(at: 3_000, reason: .inactivityTimeout))
        aggregator.advance(to: 60_000)
        let partial = try #require(stats(drain(&aggregator)).first)
        #expect(partial.maxDurations == 2 && partial.inactivityTimeouts == 1 && partial.closedByEvent == 0)
        // Through the wire format and the merge stage into the stats record.
        let bytes = WindowPartialEncoder().encode(partial)
        let decoded = bytes.withUnsafeBytes { WindowPartialDecoder(outcomeLabels: WindowConfiguration.contractOutcomeLabels).decode($0) }
        guard case let .partial(roundTripped)? = decoded else {
            Issue.record("the partial does not decode")
            return
        }
        #expect(roundTripped.maxDurations == 2)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""closeReasons":{"closed":0,"inactivityTimeout":1,"maxDuration":2}"#))
    }

    @Test func countsOutcomesSubmissionsErrorsAndCloseReasons() {
        var aggregator = WindowAggregator(configuration: WindowConfiguration(partition: 7, inputPartitionCount: 8))
        aggregator.add(session(at: 1_000, outcome: Self.completed, elapsed: 100))
        aggregator.add(session(at: 2_000, outcome: Self.failed, errors: ["E2", "E1", "E2"], elapsed: 300))
        aggregator.add(session(at: 3_000, outcome: Self.abandonedForm, submitted: false, errors: ["E1"], elapsed: 200, reason: .inactivityTimeout))
        aggregator.add(session(at: 4_000, outcome: Self.notOpened, submitted: false, elapsed: nil, reason: .inactivityTimeout, early: .evicted))
        aggregator.advance(to: 60_000)
        let record = stats(drain(&aggregator)).first!
        #expect(record.inputPartition == 7 && record.partitionCount == 8)
        #expect(record.tenant == nil)
        #expect(record.sessions == 4)
        #expect(record.outcomes.map(\.count) == [1, 1, 1, 0, 0, 1])
        #expect(record.outcomes.map(\.name) == WindowConfiguration.contractOutcomeLabels)
        #expect(record.submissions == 2)
        #expect(record.submissionsWithErrors == 1)
        // Per-session distinct codes, sorted by code.
        #expect(record.errorCodes == [StatsCount(name: "E1", count: 2), StatsCount(name: "E2", count: 1)])
        #expect(record.closedByEvent == 2 && record.inactivityTimeouts == 2)
        #expect(record.evicted == 1 && record.flushed == 0)
        #expect(record.elapsed.count == 3)
        #expect(record.elapsed.minimum == 100 && record.elapsed.maximum == 300)
        #expect(abs(record.elapsed.quantileMilliseconds(0.5)! - 200) <= 2)  // within 1 % + rounding
    }

    @Test func groupsByTenantInByteOrderWithTheTenantlessGroupFirst() {
        var aggregator = WindowAggregator()
        for tenant in ["beta", nil, "Alpha", "alpha", "beta"] as [String?] {
            aggregator.add(session(at: 10, tenant: tenant))
        }
        aggregator.advance(to: 60_000)
        let records = stats(drain(&aggregator))
        #expect(records.map(\.tenant) == [nil, "Alpha", "alpha", "beta"])
        #expect(records.map(\.sessions) == [1, 1, 1, 2])

        var single = WindowAggregator(configuration: WindowConfiguration(groupByTenant: false))
        single.add(session(at: 10, tenant: "a"))
        single.add(session(at: 20, tenant: "b"))
        single.advance(to: 60_000)
        #expect(stats(drain(&single)).map(\.sessions) == [2])
    }

    @Test func aSessionForAnEmittedWindowGoesToTheEarliestOpenOne() {
        var aggregator = WindowAggregator()
        aggregator.add(session(at: 30_000))
        aggregator.advance(to: 130_000)  // emits [0, 60 000); windows before 120 000 are done
        #expect(stats(drain(&aggregator)).count == 1)
        #expect(aggregator.emittedThrough == 120_000)
        aggregator.add(session(at: 45_000))
        #expect(aggregator.metrics.clampedContributions == 1)
        aggregator.advance(to: 180_000)
        #expect(stats(drain(&aggregator)).map(\.windowStart) == [120_000])
    }

    @Test func alertWhenTheErrorRatioIsStrictlyAboveTheThresholdOverTheMinimumVolume() {
        func run(submissions: Int, withErrors: Int, threshold: Double = 0.2, minimum: Int = 20) -> [ErrorSpikeAlert] {
            var aggregator = WindowAggregator()
            let codes = ["TIMEOUT", "E_PHONE", "E_MAIL", "E_NAME", "E_ZIP", "E_OTHER"]
            for index in 0 ..< submissions {
                let errors = index < withErrors ? [codes[index % codes.count]] + (index % 2 == 0 ? ["TIMEOUT"] : []) : []
                aggregator.add(session(at: 5_000, tenant: "t", outcome: errors.isEmpty ? Self.completed : Self.failed, errors: errors))
            }
            // Errors without a submission do not count in the ratio.
            aggregator.add(session(at: 5_000, tenant: "t", outcome: Self.abandonedForm, submitted: false, errors: ["E_FORM"]))
            aggregator.advance(to: 60_000)
            return alerts(drain(&aggregator), WindowMergerConfiguration(alertThreshold: threshold, alertMinVolume: minimum))
        }
        #expect(run(submissions: 20, withErrors: 4).isEmpty)  // exactly 0.2: not above
        #expect(run(submissions: 10, withErrors: 3, threshold: 0.3).isEmpty)  // 3/10 == 0.3 exactly
        #expect(run(submissions: 19, withErrors: 19).isEmpty)  // below the minimum volume
        let alert = run(submissions: 20, withErrors: 5)
        #expect(alert.count == 1)
        guard let first = alert.first else { return }
        #expect(first.ratio == 0.25)
        #expect(first.submissions == 20 && first.submissionsWithErrors == 5)
        #expect(first.threshold == 0.2 && first.minimumSubmissions == 20)
        #expect(first.tenant == "t" && first.windowStart == 0 && first.windowEnd == 60_000)
        // TIMEOUT: sessions 0, 2, 4 (+ session 0's own code) = 3; then E_PHONE, E_MAIL, E_NAME, E_ZIP
        // with 1 each, by code: E_FORM (1) sorts before them and is included among the ties.
        #expect(first.topErrorCodes.map(\.name) == ["TIMEOUT", "E_FORM", "E_MAIL", "E_NAME", "E_PHONE"])
        #expect(first.topErrorCodes.map(\.count) == [3, 1, 1, 1, 1])
    }

    @Test func alertFollowsItsStatsRecord() {
        var aggregator = WindowAggregator()
        aggregator.add(session(at: 10, tenant: "a", errors: ["X"]))
        aggregator.add(session(at: 10, tenant: "b"))
        aggregator.advance(to: 60_000)
        let kinds = merged(drain(&aggregator), WindowMergerConfiguration(alertMinVolume: 1)).map { output -> String in
            switch output {
            case let .stats(record, _, _): "stats:\(record.tenant ?? "-")"
            case let .alert(alert, _, _): "alert:\(alert.tenant ?? "-")"
            case .latePartial: "late"
            }
        }
        #expect(kinds == ["stats:a", "alert:a", "stats:b"])
    }

    @Test func capsBoundTenantsErrorCodesAndOpenWindows() {
        var aggregator = WindowAggregator(configuration: WindowConfiguration(
            maximumTenantsPerWindow: 2, maximumErrorCodesPerGroup: 2, maximumOpenWindows: 2
        ))
        for tenant in ["a", "b", "c", "d"] { aggregator.add(session(at: 10, tenant: tenant)) }
        aggregator.add(session(at: 10, tenant: "a", errors: ["E1", "E2", "E3"]))
        aggregator.add(session(at: 10, tenant: "a", errors: ["E3", "E1"]))
        #expect(aggregator.metrics.tenantOverflows == 2)
        aggregator.add(session(at: 60_010))
        #expect(drain(&aggregator).isEmpty)
        aggregator.add(session(at: 120_010))  // third window: the first is emitted early
        #expect(aggregator.metrics.windowsEmittedEarly == 1)
        let records = stats(drain(&aggregator))
        #expect(records.map(\.tenant) == [nil, "a", "b"])
        #expect(records.map(\.sessions) == [2, 3, 1])
        #expect(records[1].errorCodes == [StatsCount(name: "E1", count: 2), StatsCount(name: "E2", count: 1)])
        #expect(records[1].errorCodesOmitted == 2)
        // The early-emitted window is closed for good: a late session goes forward.
        aggregator.add(session(at: 20))
        #expect(aggregator.metrics.clampedContributions == 1)
    }

    @Test func rejectsOutOfRangeOutcomes() {
        var aggregator = WindowAggregator()
        aggregator.add(session(at: 10, outcome: 6))
        aggregator.add(session(at: 10, outcome: -1))
        #expect(aggregator.metrics.rejectedContributions == 2)
        #expect(aggregator.openWindowCount == 0)
    }

    @Test func outputDoesNotDependOnArrivalOrderWithinAWindow() {
        var random = SeededRandom(seed: 5)
        var contributions: [SessionContribution] = []
        for _ in 0 ..< 500 {
            let errors = Int.random(in: 0 ..< 4, using: &random) == 0 ? ["E\(Int.random(in: 0 ..< 8, using: &random))"] : []
            contributions.append(session(
                at: Int64.random(in: 0 ..< 300_000, using: &random),
                tenant: ["a", "b", "c", nil][Int.random(in: 0 ..< 4, using: &random)],
                outcome: Int.random(in: 0 ..< 6, using: &random), submitted: Bool.random(using: &random),
                errors: errors, elapsed: Int64.random(in: 0 ..< 100_000, using: &random)
            ))
        }
        func play(_ items: [SessionContribution]) -> [WindowOutput] {
            var aggregator = WindowAggregator()
            for item in items { aggregator.add(item) }
            aggregator.advance(to: 400_000)
            return drain(&aggregator)
        }
        let forward = play(contributions)
        #expect(stats(forward).count == 20)
        #expect(play(contributions.reversed()) == forward)
        #expect(play(contributions.shuffled(using: &random)) == forward)
    }

    @Test func storeClosesLandInTheirWindowsBeforeTheWindowsClose() {
        // The documented feeding order: route → drain closes into the aggregator → advance it.
        var driver = StoreDriver(SessionStoreConfiguration(
            inactivityTimeout: .seconds(30), allowedLateness: .seconds(1), idleGracePeriod: .seconds(1)
        ))
        var aggregator = WindowAggregator(configuration: WindowConfiguration(windowSize: .seconds(10)))
        func feed() {
            for close in driver.takeCloses() {
                aggregator.add(session(at: close.closeTime, reason: close.reason, early: close.earlyClose))
            }
            if let watermark = driver.store.watermark { aggregator.advance(to: watermark) }
        }
        var random = SeededRandom(seed: 77)
        var time: Int64 = 1_000_000
        for index in 0 ..< 400 {
            time += Int64.random(in: 0 ... 700, using: &random)
            driver.send("s\(index % 60)", at: time, closed: index % 7 == 0)
            feed()
        }
        driver.tick(after: .seconds(120))
        feed()
        aggregator.flush()
        var total = 0
        aggregator.drainOutputs { if case let .partial(partial) = $0 { total += partial.sessions } }
        #expect(aggregator.metrics.clampedContributions == 0)
        #expect(total == aggregator.metrics.contributions)
        #expect(total == driver.store.metrics.closedByEvent + driver.store.metrics.inactivityTimeouts)
        #expect(driver.store.openSessionCount == 0)
    }
}
