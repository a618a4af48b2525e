import TestSupport
import Testing
@testable import CallbackStreamCore

@Suite struct SessionStoreTests {
    /// Timeout 1000 ms, lateness 100 ms, grace 50 ms, retention 2000 ms.
    private func configuration(
        maximumOpen: Int = 1_000, maximumRemembered: Int = 1_000,
        retention: Duration? = .milliseconds(2_000),
        policy: SessionStoreConfiguration.ClosedEventPolicy = .atWatermark
    ) -> SessionStoreConfiguration {
        SessionStoreConfiguration(
            inactivityTimeout: .milliseconds(1_000), allowedLateness: .milliseconds(100),
            idleGracePeriod: .milliseconds(50), closedSessionRetention: retention,
            maximumOpenSessions: maximumOpen, maximumRememberedSessions: maximumRemembered,
            closedEventPolicy: policy
        )
    }

    @Test func defaultsMatchTheContract() {
        let defaults = SessionStoreConfiguration()
        #expect(defaults.inactivityTimeoutMilliseconds == 30 * 60 * 1_000)
        #expect(defaults.allowedLatenessMilliseconds == 5_000)
        #expect(defaults.closedSessionRetentionMilliseconds == defaults.inactivityTimeoutMilliseconds)
        #expect(defaults.closedEventPolicy == .atWatermark)
    }

    @Test func eventsOfOneInteractionShareASession() {
        var driver = StoreDriver(configuration())
        let first = driver.send("a", at: 10_000)
        #expect(first.isOpened && first.sequence == 1)
        let second = driver.send("a", at: 10_200)
        #expect(second.isExisting && second.sequence == 1)
        driver.send("b", at: 10_300)
        #expect(driver.store.openSessionCount == 2)
        guard case let .open(handle, sequence)? = driver.store.lookup(interactionId: "a") else {
            Issue.record("a is not open")
            return
        }
        #expect(sequence == 1)
        #expect(driver.store[handle].eventTimes == [10_000, 10_200])
        #expect(driver.store.lookup(interactionId: "zzz") == nil)
    }

    @Test func timesOutWhenTheWatermarkReachesLastEventPlusTimeout() {
        var driver = StoreDriver(configuration())
        driver.send("a", at: 10_000)
        driver.send("a", at: 10_500)  // deadline 11 500
        // Watermark = 11 599 − 100 = 11 499: one millisecond short.
        driver.send("b", at: 11_599)
        #expect(driver.takeCloses().isEmpty)
        // Watermark = 11 500 = deadline: "passes" means ≥.
        driver.send("b", at: 11_600)
        #expect(driver.takeCloses() == [
            ObservedClose(key: "a", sessionSeq: 1, reason: .inactivityTimeout, earlyClose: nil, closeTime: 11_500, eventTimes: [10_000, 10_500]),
        ])
        #expect(driver.store.metrics.inactivityTimeouts == 1)
        #expect(driver.store.lookup(interactionId: "a") == .closed(sessionSeq: 1, closedAt: 11_500))
    }

    @Test func idlePartitionTimesOutAbandonedSessionsWithTheWallClock() {
        var driver = StoreDriver(configuration())
        driver.send("a", at: 10_000)  // deadline 11 000; watermark 9 900
        // Needs the watermark to gain 1 100 ms: idle must reach grace 50 + 1 100.
        driver.tick(after: .milliseconds(1_149))
        #expect(driver.takeCloses().isEmpty)
        #expect(driver.store.watermark == 10_999)
        driver.tick(after: .milliseconds(1))
        #expect(driver.takeCloses().map(\.key) == ["a"])
        #expect(driver.store.watermark == 11_000)
    }

    @Test func aNewEventAfterAGapLongerThanTheTimeoutStartsTheNextSession() {
        var driver = StoreDriver(configuration())
        driver.send("a", at: 10_000)
        // The event itself raises the watermark to 12 900 ≥ 11 000 before it is routed.
        let route = driver.send("a", at: 13_000)
        #expect(route.isOpened && route.sequence == 2)
        #expect(driver.takeCloses() == [
            ObservedClose(key: "a", sessionSeq: 1, reason: .inactivityTimeout, earlyClose: nil, closeTime: 11_000, eventTimes: [10_000]),
        ])
        #expect(driver.store.metrics.sessionsReopened == 1)
    }

    @Test func closedEventClosesOnceTheWatermarkReachesIt() {
        var driver = StoreDriver(configuration())
        driver.send("a", at: 10_000)
        driver.send("a", at: 10_400, closed: true)
        #expect(driver.takeCloses().isEmpty)
        // Out of order, behind the `closed` timestamp: still joins.
        #expect(driver.send("a", at: 10_300).isExisting)
        driver.send("other", at: 10_499)  // watermark 10 399
        #expect(driver.takeCloses().isEmpty)
        driver.send("other", at: 10_500)  // watermark 10 400
        #expect(driver.takeCloses() == [
            ObservedClose(key: "a", sessionSeq: 1, reason: .closed, earlyClose: nil, closeTime: 10_400, eventTimes: [10_000, 10_400, 10_300]),
        ])
        #expect(driver.store.metrics.closedByEvent == 1)
    }

    @Test func anEventAfterTheClosedTimestampEndsTheClosingSessionAndReopens() {
        var driver = StoreDriver(configuration())
        driver.send("a", at: 10_000, closed: true)
        let route = driver.send("a", at: 10_001)
        #expect(route.isOpened && route.sequence == 2)
        #expect(driver.takeCloses() == [
            ObservedClose(key: "a", sessionSeq: 1, reason: .closed, earlyClose: nil, closeTime: 10_000, eventTimes: [10_000]),
        ])
    }

    @Test func immediatePolicyClosesWhenReported() {
        var driver = StoreDriver(configuration(policy: .immediately))
        driver.send("a", at: 10_000)
        driver.send("a", at: 10_400, closed: true)
        #expect(driver.takeCloses().map(\.closeTime) == [10_400])
        // Out-of-order events behind the close are now late.
        #expect(driver.send("a", at: 10_300) == .late(closedAt: 10_400, sessionSeq: 1))
    }

    @Test func eventsAtOrBeforeTheCloseTimeAreLateAndLaterOnesReopen() {
        var driver = StoreDriver(configuration())
        driver.send("a", at: 10_000, closed: true)
        driver.send("x", at: 10_100)  // watermark 10 000 → a closes at 10 000
        #expect(driver.takeCloses().count == 1)
        #expect(driver.send("a", at: 9_000) == .late(closedAt: 10_000, sessionSeq: 1))
        // A duplicate of the `closed` event carries exactly the close time: late, not a new session.
        #expect(driver.send("a", at: 10_000) == .late(closedAt: 10_000, sessionSeq: 1))
        #expect(driver.store.metrics.lateEvents == 2)
        let reopened = driver.send("a", at: 10_001)
        #expect(reopened.isOpened && reopened.sequence == 2)
        #expect(driver.store.openSessionCount == 2)
    }

    @Test func rememberedSessionsAreForgottenAfterTheRetention() {
        var driver = StoreDriver(configuration(retention: .milliseconds(2_000)))
        driver.send("a", at: 10_000, closed: true)
        driver.send("x", at: 10_100)  // a closes at 10 000, remembered until watermark ≥ 12 000
        driver.send("x", at: 12_099)  // watermark 11 999
        #expect(driver.store.lookup(interactionId: "a") == .closed(sessionSeq: 1, closedAt: 10_000))
        driver.send("x", at: 12_100)  // watermark 12 000
        #expect(driver.store.lookup(interactionId: "a") == nil)
        #expect(driver.store.metrics.forgotten == 1)
        // Forgotten: an old event is no longer recognised as late; it opens sequence 1 again.
        let route = driver.send("a", at: 9_000)
        #expect(route.isOpened && route.sequence == 1)
    }

    @Test func theCapEvictsTheSessionWithTheEarliestDeadline() {
        var driver = StoreDriver(configuration(maximumOpen: 3))
        driver.send("a", at: 10_000)
        driver.send("b", at: 10_050)
        driver.send("c", at: 10_020)
        driver.send("a", at: 10_060)  // a's deadline now 11 060 (lazily updated)
        // Opening d evicts c (deadline 11 020), the earliest, not a (whose heap entry is stale).
        #expect(driver.store.earliestOpenDeadline() == 11_020)
        driver.send("d", at: 10_070)
        #expect(driver.takeCloses() == [
            ObservedClose(key: "c", sessionSeq: 1, reason: .inactivityTimeout, earlyClose: .evicted, closeTime: 10_020, eventTimes: [10_020]),
        ])
        #expect(driver.store.openSessionCount == 3)
        #expect(driver.store.metrics.evictions == 1)
        // Evicted sessions are remembered like others: an older event for c is late.
        #expect(driver.send("c", at: 10_010) == .late(closedAt: 10_020, sessionSeq: 1))
    }

    @Test func evictionCloseTimeIsNeverBehindTheWatermark() {
        var driver = StoreDriver(configuration(maximumOpen: 1))
        driver.send("a", at: 10_000)
        driver.send("x", at: 10_500, offset: nil)  // evicts a; watermark 10 400
        #expect(driver.takeCloses().map(\.closeTime) == [10_400])
    }

    @Test func globalCapAcrossStoresUsesEarliestDeadline() {
        var first = StoreDriver(configuration())
        var second = StoreDriver(configuration())
        first.send("a", at: 20_000)
        second.send("b", at: 10_000)
        // The caller compares stores and evicts from the one with the earliest deadline.
        let d1 = first.store.earliestOpenDeadline()!, d2 = second.store.earliestOpenDeadline()!
        #expect(d2 < d1)
        #expect(second.store.evictEarliest() == true)
        second.drain()
        #expect(second.takeCloses().map(\.earlyClose) == [.evicted])
        #expect(second.store.evictEarliest() == false)
    }

    @Test func rememberedCapForgetsTheOneDueFirst() {
        var driver = StoreDriver(configuration(maximumRemembered: 2))
        for (index, key) in ["a", "b", "c"].enumerated() {
            driver.send(key, at: 10_000 + Int64(index), closed: true)
        }
        driver.send("x", at: 10_200)
        #expect(driver.takeCloses().map(\.key) == ["a", "b", "c"])
        #expect(driver.store.rememberedSessionCount == 2)
        #expect(driver.store.metrics.forgottenEarly == 1)
        #expect(driver.store.lookup(interactionId: "a") == nil)
        #expect(driver.store.lookup(interactionId: "c") == .closed(sessionSeq: 1, closedAt: 10_002))
    }

    @Test func minimumRetainedOffsetCoversOpenAndRememberedChains() {
        var driver = StoreDriver(configuration(retention: .milliseconds(2_000)))
        #expect(driver.store.minimumRetainedOffset == nil)
        driver.send("a", at: 10_000, offset: 5)
        driver.send("b", at: 10_010, offset: 6)
        driver.send("a", at: 10_020, offset: 7, )
        #expect(driver.store.minimumRetainedOffset == 5)
        driver.send("a", at: 10_030, closed: true, offset: 8)
        driver.send("c", at: 10_200, offset: 9)  // a closes (remembered: still retains 5)
        #expect(driver.takeCloses().map(\.key) == ["a"])
        #expect(driver.store.minimumRetainedOffset == 5)
        // A reopen keeps the previous session's first offset until it would have been forgotten
        // (close 10 030 + 2 000), so a replay meanwhile rebuilds sequence numbers.
        let reopened = driver.send("a", at: 10_300, offset: 10)
        #expect(reopened.sequence == 2)
        #expect(driver.store.minimumRetainedOffset == 5)
        // b times out (deadline 11 010) but stays remembered until 13 010.
        driver.send("c", at: 11_200, offset: 11)
        #expect(driver.takeCloses().map(\.key) == ["b"])
        #expect(driver.store.minimumRetainedOffset == 5)
        // a#2 and c close, then everything is forgotten once the watermark passes all retentions.
        driver.send("z", at: 20_000, offset: 12)
        #expect(driver.store.minimumRetainedOffset == 12)
        driver.advance(to: 40_000)
        #expect(driver.store.minimumRetainedOffset == nil)
        #expect(driver.store.rememberedSessionCount == 0)
        #expect(driver.store.openSessionCount == 0)
    }

    @Test func simultaneousClosesComeOutOrderedByDeadlineThenKeyBytes() {
        let keys = ["b", "ab", "a", "c", "aa", "B", "b1"]
        var outputs: [[String]] = []
        for permutation in [keys, keys.reversed(), keys.sorted(by: { $0.count < $1.count })] {
            var driver = StoreDriver(configuration())
            for key in permutation { driver.send(key, at: 10_000) }
            driver.send("late-deadline", at: 10_000)
            driver.send("late-deadline", at: 10_500)
            driver.advance(to: 50_000)
            outputs.append(driver.takeCloses().map(\.key))
        }
        #expect(outputs[0] == ["B", "a", "aa", "ab", "b", "b1", "c", "late-deadline"])
        #expect(outputs[1] == outputs[0])
        #expect(outputs[2] == outputs[0])
    }

    @Test func closeAllOpenFlushesInDeadlineOrder() {
        var driver = StoreDriver(configuration())
        driver.send("a", at: 10_300)
        driver.send("b", at: 10_100)
        driver.send("c", at: 10_200, closed: true)
        driver.store.closeAllOpen()
        driver.drain()
        let closes = driver.takeCloses()
        // Deadlines: c 10 200 (closing at its `closed` time), b 11 100, a 11 300.
        #expect(closes.map(\.key) == ["c", "b", "a"])
        #expect(closes.allSatisfy { $0.earlyClose == .flushed })
        #expect(closes.first { $0.key == "c" }?.reason == .closed)
        #expect(driver.store.openSessionCount == 0)
        #expect(driver.store.metrics.flushes == 3)
    }

    @Test func rejectsEmptyAndOverlongKeysWithoutCrashing() {
        var driver = StoreDriver(configuration())
        #expect(driver.send("", at: 10_000) == .rejected)
        #expect(driver.send(String(repeating: "x", count: SessionStore<RecordedSession>.maximumKeyLength + 1), at: 10_000) == .rejected)
        #expect(driver.store.watermark == nil)  // rejected events do not move event time
        #expect(driver.send(String(repeating: "é", count: 256), at: 10_000).isOpened)
        #expect(driver.store.metrics.rejectedKeys == 2)
    }

    @Test func extremeTimestampsDoNotTrap() {
        var driver = StoreDriver(configuration())
        #expect(driver.send("a", at: .max).isOpened)
        #expect(driver.send("b", at: .min).isOpened)
        #expect(driver.send("a", at: .max, closed: true).isExisting)
        driver.tick(after: .seconds(1_000_000))
        driver.advance(to: .max)
        #expect(driver.store.openSessionCount == 0)
    }

    @Test func theRecentKeyCacheGrowsWithTheTable() {
        // A store with few sessions (one partition of many) must not pay for a 16 K-entry cache.
        var driver = StoreDriver(configuration(maximumOpen: 200_000))
        for index in 0 ..< 1_000 { driver.send("small-\(index)", at: 10_000) }
        // (Capacities, which malloc may round up a little.)
        let small = driver.store.footprint.hashTable
        #expect(small >= 2_048 * 8 + 256 * 8 && small < 2_048 * 8 + 256 * 8 + 64)  // load < 3/4; cache an eighth
        // Hits still find their sessions after the cache was resized along with the table.
        for index in 0 ..< 1_000 { #expect(driver.send("small-\(index)", at: 10_001).isExisting) }
        for index in 1_000 ..< 120_000 { driver.send("small-\(index)", at: 10_000) }
        let large = driver.store.footprint.hashTable
        #expect(large >= 262_144 * 8 + 16_384 * 8 && large < 262_144 * 8 + 16_384 * 8 + 64)  // capped at 16 K entries
        #expect(driver.send("small-7", at: 10_002).isExisting)
    }

    @Test func keyStorageIsCompactedAndLookupsSurvive() {
        // Retention 0 and no remembered sessions: every close frees its key immediately.
        var driver = StoreDriver(configuration(maximumRemembered: 0, retention: .zero))
        let padding = String(repeating: "k", count: 200)
        var time: Int64 = 10_000
        for round in 0 ..< 1_500 {
            driver.send("\(padding)-\(round)", at: time, closed: true)
            driver.send("keeper-\(round % 7)", at: time)
            time += 10
        }
        #expect(driver.store.metrics.keyCompactions > 0)
        #expect(driver.store.footprint.keyBytes < 600_000)
        for index in 0 ..< 7 {
            guard case .open? = driver.store.lookup(interactionId: "keeper-\(index)") else {
                Issue.record("keeper-\(index) lost after compaction")
                continue
            }
        }
        let closes = driver.takeCloses()
        // Rounds are 10 ms apart and the lateness is 100 ms: the last 10 are still closing.
        #expect(closes.count == 1_490)
        #expect(closes.last?.key == "\(padding)-1489")
    }

    @Test func removeAllForgetsEverything() {
        var driver = StoreDriver(configuration())
        driver.send("a", at: 10_000, closed: true)
        driver.send("b", at: 20_000)
        driver.store.removeAll()
        #expect(driver.store.openSessionCount == 0)
        #expect(driver.store.rememberedSessionCount == 0)
        #expect(driver.store.pendingCloseCount == 0)
        #expect(driver.store.watermark == nil)
        #expect(driver.store.minimumRetainedOffset == nil)
        #expect(driver.send("a", at: 10_000).sequence == 1)
    }

    @Test func outOfOrderWithinTheLatenessGivesTheSameClosesAsInOrder() {
        // 300 interactions: a few events 0.5–2 s apart, most ending in `closed`, some abandoned.
        var random = SeededRandom(seed: 42)
        var events: [(key: String, time: Int64, closed: Bool)] = []
        for index in 0 ..< 300 {
            var time = 1_000_000 + Int64.random(in: 0 ..< 600_000, using: &random)
            let count = Int.random(in: 1 ... 6, using: &random)
            for step in 0 ..< count {
                events.append(("i-\(index)", time, false))
                if step < count - 1 { time += Int64.random(in: 500 ... 2_000, using: &random) }
            }
            if index % 4 != 0 { events.append(("i-\(index)", time + 300, true)) }
        }
        let configuration = SessionStoreConfiguration(
            inactivityTimeout: .seconds(10), allowedLateness: .seconds(1), idleGracePeriod: .seconds(1)
        )
        func play(_ order: [(key: String, time: Int64, closed: Bool)]) -> [ObservedClose] {
            var driver = StoreDriver(configuration)
            for event in order {
                #expect(driver.send(event.key, at: event.time, closed: event.closed).sequence == 1)
            }
            driver.advance(to: .max)
            return driver.takeCloses()
                .map { close in var sorted = close; sorted.eventTimes.sort(); return sorted }
                .sorted { $0.key < $1.key }
        }
        let inOrder = events.sorted { ($0.time, $0.closed ? 1 : 0) < ($1.time, $1.closed ? 1 : 0) }
        // Deliver each event up to 999 ms late: sort by time + jitter with jitter < lateness.
        let shuffled = events.map { ($0, $0.time + Int64.random(in: 0 ..< 1_000, using: &random)) }
            .sorted { $0.1 < $1.1 }.map(\.0)
        #expect(shuffled.map(\.time) != inOrder.map(\.time))
        let expected = play(inOrder)
        #expect(expected.count == 300)
        #expect(expected.filter { $0.reason == .inactivityTimeout }.count == 75)
        #expect(play(shuffled) == expected)
    }

    @Test func aThrowingDrainDiscardsTheRestAndReusesTheirStorage() {
        struct Stop: Error {}
        var driver = StoreDriver(configuration())
        for key in ["a", "b", "c"] { driver.send(key, at: 10_000) }
        driver.store.advanceWatermark(to: 20_000)
        #expect(driver.store.pendingCloseCount == 3)
        var seen = 0
        #expect(throws: Stop.self) {
            try driver.store.drainClosed { _, _ in
                seen += 1
                throw Stop()
            }
        }
        #expect(seen == 1)
        #expect(driver.store.pendingCloseCount == 0)
        // The discarded states' storage is released and reused by the next three sessions.
        #expect(driver.store.states.allSatisfy { $0 == nil })
        for key in ["d", "e", "f"] { driver.send(key, at: 20_000) }
        #expect(driver.store.states.count == 3)
    }
}
