import TestSupport
import Testing

@testable import CallbackStreamCore

/// Issue 15, "Hot keys and endless sessions": no open session, reopen chain or remembered session
/// holds a partition's retained offset (and so its commit) at a record whose event time is more
/// than `maximum session duration + closed-session retention` behind the watermark, where the
/// retained record's event time counts from the watermark at which it was processed if that was
/// later (a backfilled record is "read now").
@Suite struct RetainedOffsetBoundTests {
    static let t0: Int64 = 1_767_225_600_000

    /// Feeds records to one topology and checks the bound after every input.
    struct Checker {
        var driver: HardeningDriver
        let bound: Int64
        /// Per offset: max(event time, watermark after processing it).
        var effective: [Int64] = []
        var maximumLag: Int64 = 0
        var checks = 0

        init(_ configuration: TopologyConfiguration) {
            driver = HardeningDriver(configuration)
            bound = configuration.retainedEventTimeBoundMs
        }

        mutating func check(_ context: @autoclosure () -> String) {
            let topology = driver.topology
            guard let minimum = topology.minimumRetainedOffset else {
                #expect(topology.oldestRetainedEventTime == nil)
                return
            }
            checks += 1
            let watermark = topology.watermark
            let time = effective[Int(minimum)]
            let lag = watermark - time
            maximumLag = max(maximumLag, lag)
            #expect(lag < bound, "lag \(lag) ≥ bound \(bound) at offset \(minimum): \(context())")
            // The exported proxy: never later than the record's time, never earlier than the
            // earliest retained time in its block of 64 offsets.
            let proxy = topology.oldestRetainedEventTime
            let block = Int(minimum) & ~63
            let blockMinimum = effective[block..<min(block + 64, effective.count)].min()!
            #expect(proxy != nil && proxy! <= time && proxy! >= blockMinimum, "proxy \(String(describing: proxy)) vs \(time): \(context())")
        }

        mutating func event(_ id: String, _ name: String, _ ts: Int64, recordTimestamp: Int64? = nil, arrival: Int64) {
            driver.event(id, name, ts, recordTimestamp: recordTimestamp, arrival: arrival)
            effective.append(max(ts, driver.topology.watermark))
            check("\(id) \(name) @\(ts)")
        }

        mutating func tick(_ now: Int64) {
            driver.tick(now)
            check("tick \(now)")
        }
    }

    /// Issue 15 case 3 with the defaults: `"undefined"` sends an event a second for 6 hours, with
    /// `closed` now and then (sometimes not for over an hour), among ordinary interactions
    /// (completed, abandoned, reopened, out of order, duplicated), a few backfilled and skewed
    /// records and idle pauses. The retained offset keeps advancing and stays within the bound.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func aHotKeyNeverHoldsTheRetainedOffsetBeyondTheBound(seed: UInt64) {
        let configuration = TopologyConfiguration()
        #expect(configuration.retainedEventTimeBoundMs == 3_600_000 + 1_800_000)
        var checker = Checker(configuration)
        var rng = SeededRandom(seed: seed)
        func roll(_ n: UInt64) -> Int64 { Int64(rng.next() % n) }
        let names = ["ready", "opened", "started", "submitted", "completed", "closed"]
        var arrival: Int64 = 0
        var nextOrdinary = 0
        var ordinary: [(id: String, step: Int, next: Int64)] = []
        var retainedAt: [Int64: Int64] = [:]  // hour → minimum retained offset then
        let seconds = 6 * 3_600
        var quietUntil = 0
        for second in 0..<seconds {
            let now = Self.t0 + Int64(second) * 1_000
            arrival += 1_000
            // The hot key: one event a second, `closed` every ~10 min, except in long quiet stretches.
            if second >= quietUntil, roll(3_000) == 0 { quietUntil = second + 4_000 + Int(roll(1_000)) }
            let closed = second >= quietUntil && roll(600) == 0
            checker.event("undefined", closed ? "closed" : names[Int(roll(5))], now - roll(2_000), arrival: arrival)
            // Ordinary interactions: a few a minute, each a few events over minutes; some abandoned.
            if roll(20) == 0 {
                ordinary.append(("cb-\(seed)-\(nextOrdinary)", 0, now))
                nextOrdinary += 1
            }
            var index = 0
            while index < ordinary.count {
                if ordinary[index].next <= now {
                    let (id, step, _) = ordinary[index]
                    checker.event(id, names[step], now - roll(3_000), recordTimestamp: now, arrival: arrival)
                    if roll(50) == 0 { checker.event(id, names[step], now - roll(3_000), recordTimestamp: now, arrival: arrival) }
                    let abandoned = step == 3 && roll(4) == 0
                    if step == names.count - 1 || abandoned {
                        if roll(5) == 0 {
                            ordinary[index] = (id, 0, now + 60_000 + roll(1_200_000))  // reopens later
                        } else {
                            ordinary.remove(at: index)
                            continue
                        }
                    } else {
                        ordinary[index] = (id, step + 1, now + 5_000 + roll(90_000))
                    }
                }
                index += 1
            }
            if roll(2_000) == 0 {  // a backfill from hours ago, and a browser years ahead
                checker.event("backfill-\(second)", "opened", now - 3 * 3_600_000 - roll(3_600_000), recordTimestamp: now, arrival: arrival)
                checker.event("skewed-\(second)", "opened", now + 5 * 365 * 86_400_000, recordTimestamp: now, arrival: arrival)
            }
            if roll(3_000) == 0 {  // an idle pause: the watermark follows the wall clock for a while
                arrival += 30_000
                checker.tick(arrival)
            } else if second % 10 == 0 {
                checker.tick(arrival)
            }
            if second % 3_600 == 3_599 { retainedAt[Int64(second / 3_600)] = checker.driver.topology.minimumRetainedOffset }
        }
        #expect(checker.checks > 20_000)
        // Not vacuous: the hot key's sessions reached the maximum duration, and the retained
        // offset was held most of the way to the bound.
        #expect(checker.driver.of("summary").contains { $0.key == "undefined" && $0.closeReason == "maxDuration" })
        #expect(checker.driver.of("summary").contains { $0.key == "undefined" && $0.closeReason == "closed" })
        #expect(checker.maximumLag > 3_600_000, "maximum lag \(checker.maximumLag)")
        // The committed offset keeps advancing hour after hour.
        let hourly = (0..<6).map { retainedAt[Int64($0)] ?? -1 }
        #expect(zip(hourly, hourly.dropFirst()).allSatisfy { $0 < $1 }, "\(hourly)")
        #expect(hourly[5] > Int64(checker.effective.count) * 2 / 3, "\(hourly) of \(checker.effective.count)")
    }

    /// Small timings, many seeds: several hot keys with reopen chains, maximum-duration splits,
    /// `closed` events, inactivity, late events, evictions under a tight cap, early forgetting,
    /// explicit watermarks and idle ticks.
    @Test(arguments: Array(1...12) as [UInt64])
    func randomTrafficStaysWithinTheBound(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        func roll(_ n: UInt64) -> Int64 { Int64(rng.next() % n) }
        let inactivity = 2_000 + roll(8_000), window = 1_000 + roll(5_000), lateness = roll(2_000)
        let configuration = TopologyConfiguration(
            inactivityTimeoutMs: inactivity, allowedLatenessMs: lateness, idleAdvanceAfterMs: 1_000, windowMs: window,
            maxOpenSessions: seed % 3 == 0 ? 8 : 1_000, maxRememberedSessions: seed % 4 == 0 ? 3 : 1_000,
            maxSessionDurationMs: 3_000 + roll(20_000))
        var checker = Checker(configuration)
        let names = ["ready", "opened", "started", "submitted", "completed", "closed"]
        var clock = Self.t0, arrival: Int64 = 0
        for step in 0..<6_000 {
            clock += roll(400)
            arrival += roll(300)
            let hot = roll(4) < 3
            let id = hot ? "hot\(roll(3))" : "k\(roll(40))"
            let name = roll(hot ? 30 : 6) == 0 ? "closed" : names[Int(roll(5))]
            let ts = roll(25) == 0 ? clock - roll(UInt64(5 * inactivity)) : clock - roll(UInt64(lateness + 500))
            checker.event(id, name, ts, recordTimestamp: roll(10) == 0 ? ts - roll(600_000) : nil, arrival: arrival)
            switch roll(100) {
            case 0..<8: checker.tick(arrival + roll(3_000))
            case 8:
                checker.driver.advance(to: clock - lateness + roll(UInt64(2 * inactivity)))
                checker.check("advance")
            case 9:
                checker.driver.topology.evictEarliest { _ in }
                checker.check("evict")
            default: break
            }
            if step % 1_000 == 999 { arrival += 10_000 + roll(100_000) }  // a long pause
        }
        let metrics = checker.driver.topology.sessionMetrics
        #expect(metrics.sessionsReopened > 100 && metrics.maxDurationCloses > 10 && metrics.closedByEvent > 10, "\(metrics)")
        #expect(checker.checks > 5_000)
    }

    /// A short chain keeps its first offset while its previous session would still be remembered,
    /// so a replay then rebuilds the `sessionSeq` numbers; after that only the reopened session's
    /// own first offset is retained.
    @Test func aReopenHandsTheFirstOffsetOverAtThePreviousSessionsForgetTime() {
        var driver = StoreDriver(SessionStoreConfiguration(
            inactivityTimeout: .milliseconds(1_000), allowedLateness: .zero, closedSessionRetention: .milliseconds(5_000),
            maximumSessionDuration: .milliseconds(10_000)))
        driver.send("a", at: 100, offset: 0)
        driver.send("a", at: 200, closed: true, offset: 1)
        driver.send("a", at: 400, offset: 2)  // a closes at 200 (remembered until 5 200), a#2 opens
        #expect(driver.takeCloses().map(\.description) == ["a#1 closed @200 [100, 200]"])
        #expect(driver.store.minimumRetainedOffset == 0)
        #expect(driver.store.oldestRetainedEventTime == 100)
        var offset: Int64 = 3
        for t in stride(from: Int64(1_000), through: 5_100, by: 700) {
            driver.send("a", at: t, offset: offset)
            offset += 1
        }
        #expect(driver.store.minimumRetainedOffset == 0)
        driver.send("a", at: 5_200, offset: offset)  // the watermark reaches 5 200: offset 0 is released
        #expect(driver.store.minimumRetainedOffset == 2)
        #expect(driver.store.oldestRetainedEventTime == 100)  // same block of 64 offsets: a lower bound
        #expect(driver.store.lookup(interactionId: "a")?.sessionSeq == 2)
    }

    /// What a replay from the bounded commit gives for a hot key: the open session has the same
    /// events, but is numbered from 1 again when the commit has passed its chain's earlier
    /// sessions (its `summaryId` keeps its first-event timestamp, so it stays unique).
    @Test func aReplayFromTheRetainedOffsetRebuildsTheOpenSessionButRenumbersItsChain() {
        let configuration = TopologyConfiguration(inactivityTimeoutMs: 10_000, allowedLatenessMs: 1_000, windowMs: 1_000, maxSessionDurationMs: 30_000)
        var records: [(String, String, Int64)] = []
        for second in 0..<200 {
            let t = Self.t0 + Int64(second) * 1_000
            records.append(("undefined", second % 45 == 44 ? "closed" : "started", t))
            if second % 7 == 0 { records.append(("o\(second)", "opened", t)) }
        }
        var original = HardeningDriver(configuration)
        for (id, name, t) in records { original.event(id, name, t) }
        let live = original.topology.liveSessionJSON(interactionID: "undefined") ?? ""
        let sequence = original.of("summary").filter { $0.key == "undefined" }.count + 1
        #expect(sequence > 3)
        #expect(live.contains(#""sessionSeq":\#(sequence)"#))
        let start = Int(original.topology.minimumRetainedOffset ?? 0)
        #expect(start > 0)
        var replay = HardeningDriver(configuration)
        for (id, name, t) in records[start...] { replay.event(id, name, t) }
        replay.advance(to: original.topology.watermark)
        let rebuilt = replay.topology.liveSessionJSON(interactionID: "undefined") ?? ""
        let renumbered = live.replacing(#""sessionSeq":\#(sequence),"#, with: #""sessionSeq":1,"#)
            .replacing(#""undefined:\#(sequence):"#, with: #""undefined:1:"#)
        #expect(rebuilt == renumbered)
        #expect(rebuilt.contains(#""sessionSeq":1,"#))
        #expect(replay.topology.openSessionCount == original.topology.openSessionCount)
    }
}

extension SessionLookup {
    var sessionSeq: UInt32 {
        switch self {
        case let .open(_, sequence), let .closed(sequence, _): sequence
        }
    }
}
