import TestSupport
import Testing
@testable import CallbackStreamCore

/// A deliberately naive re-implementation of the session rules (dictionary + linear scans),
/// used as the oracle for randomized comparisons with `SessionStore`.
private struct ReferenceSessions {
    enum Status { case open, closing, remembered, reopening }
    struct Entry {
        var status: Status
        var time: Int64
        var forgetAt: Int64 = 0
        var sequence: UInt32
        /// The offset of the record that opened the current (or last) session.
        var chainOffset: Int64
        /// The event time of that record (the maximum duration runs from it).
        var start: Int64 = 0
        var events: [Int64] = []
    }
    enum Route: Equatable {
        case existing(UInt32), opened(UInt32), late(Int64, UInt32), rejected
    }

    let timeout: Int64, retention: Int64, lateness: Int64, grace: Int64
    let maximumOpen: Int, maximumRemembered: Int, immediate: Bool
    var maximumDuration: Int64? = nil
    var entries: [String: Entry] = [:]
    /// Offsets handed over by reopens: (release at watermark, offset).
    var releases: [(Int64, Int64)] = []
    var maximumEventTime: Int64?
    var lastArrival: Int64?
    var watermark: Int64 = .min
    var pending: [ObservedClose] = []

    static func precedes(_ a: (Int64, String), _ b: (Int64, String)) -> Bool {
        if a.0 != b.0 { return a.0 < b.0 }
        return Array(a.1.utf8).lexicographicallyPrecedes(Array(b.1.utf8))
    }

    var openCount: Int { entries.values.filter { $0.status == .open || $0.status == .closing }.count }
    var rememberedCount: Int { entries.values.filter { $0.status == .remembered }.count }
    var minimumRetainedOffset: Int64? { (entries.values.map(\.chainOffset) + releases.map(\.1)).min() }

    func cap(_ entry: Entry) -> Int64 { maximumDuration.map { entry.start + $0 } ?? .max }
    /// An open entry's deadline (min of inactivity and maximum duration); a closing one's `closed` time.
    func deadline(_ entry: Entry) -> Int64 { entry.status == .open ? min(entry.time, cap(entry)) : entry.time }

    func earliest(_ statuses: [Status], by time: (Entry) -> Int64) -> String? {
        entries.filter { statuses.contains($0.value.status) }
            .min { Self.precedes((time($0.value), $0.key), (time($1.value), $1.key)) }?.key
    }

    mutating func raise(_ candidate: Int64) -> Bool {
        guard candidate > watermark else { return false }
        watermark = candidate
        return true
    }

    mutating func route(_ key: String, _ time: Int64, _ offset: Int64, _ arrival: Int64) -> Route {
        lastArrival = max(lastArrival ?? arrival, arrival)
        guard !key.isEmpty else { return .rejected }
        if maximumEventTime == nil || time > maximumEventTime! {
            maximumEventTime = time
            if raise(time - lateness) { fire() }
        }
        if let entry = entries[key] {
            switch entry.status {
            case .open:
                if time < cap(entry) {
                    entries[key]!.time = max(entry.time, time + timeout)
                    entries[key]!.events.append(time)
                    return .existing(entry.sequence)
                }
                close(key, .maxDuration, nil, cap(entry))
                if entries[key]?.status == .remembered { return reopen(key, time, offset) }
            case .closing:
                if time <= entry.time {
                    entries[key]!.events.append(time)
                    return .existing(entry.sequence)
                }
                close(key, .closed, nil, entry.time)
                if entries[key]?.status == .remembered { return reopen(key, time, offset) }
            case .remembered:
                if time <= entry.time { return .late(entry.time, entry.sequence) }
                return reopen(key, time, offset)
            case .reopening:
                fatalError("unreachable")
            }
        }
        makeRoom()
        entries[key] = Entry(status: .open, time: time + timeout, sequence: 1, chainOffset: offset, start: time, events: [time])
        return .opened(1)
    }

    mutating func reopen(_ key: String, _ time: Int64, _ offset: Int64) -> Route {
        releases.append((entries[key]!.forgetAt, entries[key]!.chainOffset))
        entries[key]!.chainOffset = offset
        entries[key]!.start = time
        entries[key]!.status = .reopening
        makeRoom()
        entries[key]!.status = .open
        entries[key]!.sequence += 1
        entries[key]!.time = time + timeout
        entries[key]!.events = [time]
        return .opened(entries[key]!.sequence)
    }

    mutating func makeRoom() {
        while openCount >= maximumOpen, closeEarliest(.evicted) {}
    }

    @discardableResult
    mutating func closeEarliest(_ early: SessionEarlyClose) -> Bool {
        guard let key = earliest([.open, .closing], by: { deadline($0) }) else { return false }
        let entry = entries[key]!
        if entry.status == .closing {
            close(key, .closed, early, entry.time)
        } else {
            close(key, .inactivityTimeout, early, max(watermark, entry.time - timeout))
        }
        return true
    }

    mutating func noteClosed(_ key: String, _ time: Int64) {
        let entry = entries[key]!
        if immediate {
            close(key, .closed, nil, time)
        } else {
            entries[key]!.time = entry.status == .closing ? min(entry.time, time) : time
            entries[key]!.status = .closing
        }
    }

    mutating func close(_ key: String, _ reason: SessionCloseReason, _ early: SessionEarlyClose?, _ closeTime: Int64) {
        let entry = entries[key]!
        pending.append(ObservedClose(key: key, sessionSeq: entry.sequence, reason: reason, earlyClose: early, closeTime: closeTime, eventTimes: entry.events))
        entries[key] = Entry(
            status: .remembered, time: closeTime, forgetAt: closeTime + retention, sequence: entry.sequence,
            chainOffset: entry.chainOffset, start: entry.start)
        if rememberedCount > maximumRemembered, let victim = earliest([.remembered], by: \.forgetAt) {
            entries[victim] = nil
        }
    }

    mutating func fire() {
        forgetDue()
        while let key = earliest([.open, .closing], by: { deadline($0) }), deadline(entries[key]!) <= watermark {
            let entry = entries[key]!
            let reason: SessionCloseReason = entry.status == .closing ? .closed : (cap(entry) < entry.time ? .maxDuration : .inactivityTimeout)
            close(key, reason, nil, deadline(entry))
        }
        forgetDue()
    }

    mutating func forgetDue() {
        while let key = earliest([.remembered], by: \.forgetAt), entries[key]!.forgetAt <= watermark {
            entries[key] = nil
        }
        releases.removeAll { $0.0 <= watermark }
    }

    mutating func tick(_ now: Int64) {
        guard let maximum = maximumEventTime, let last = lastArrival, now - last > grace else { return }
        if raise(maximum - lateness + (now - last - grace)) { fire() }
    }

    mutating func advance(to time: Int64) {
        if maximumEventTime == nil { maximumEventTime = time + lateness }
        if raise(time) { fire() }
    }

    func lookup(_ key: String) -> String {
        guard let entry = entries[key] else { return "none" }
        switch entry.status {
        case .open, .closing: return "open#\(entry.sequence)"
        case .remembered: return "closed#\(entry.sequence)@\(entry.time)"
        case .reopening: return "?"
        }
    }
}

@Suite struct SessionStoreModelTests {
    private static let keys = ["a", "aa", "ab", "b", "B", "b1", "k0", "k1", "k2", "k3", "k4", "k5", ""]

    private func lookupDescription(_ store: SessionStore<RecordedSession>, _ key: String) -> String {
        switch store.lookup(interactionId: key) {
        case nil: "none"
        case let .open(_, sequence)?: "open#\(sequence)"
        case let .closed(sequence, closedAt)?: "closed#\(sequence)@\(closedAt)"
        }
    }

    private func run(seed: UInt64, steps: Int, immediate: Bool, maximumOpen: Int, maximumRemembered: Int, maximumDuration: Int64? = nil) {
        var random = SeededRandom(seed: seed)
        let configuration = SessionStoreConfiguration(
            inactivityTimeout: .milliseconds(100), allowedLateness: .milliseconds(10),
            idleGracePeriod: .milliseconds(20), closedSessionRetention: .milliseconds(60),
            maximumOpenSessions: maximumOpen, maximumRememberedSessions: maximumRemembered,
            closedEventPolicy: immediate ? .immediately : .atWatermark,
            maximumSessionDuration: maximumDuration.map { .milliseconds($0) }
        )
        var driver = StoreDriver(configuration)
        var model = ReferenceSessions(
            timeout: 100, retention: 60, lateness: 10, grace: 20,
            maximumOpen: maximumOpen, maximumRemembered: maximumRemembered, immediate: immediate
        )
        model.maximumDuration = maximumDuration
        var eventClock: Int64 = 1_000, wall: Int64 = 0, offset: Int64 = 0
        // Per offset: its event time raised to the watermark after it was routed (the retained
        // record's event time of the bound `watermark < e + maximum duration + retention`).
        var effective: [Int64: Int64] = [:]
        for step in 0 ..< steps {
            let choice = Int.random(in: 0 ..< 100, using: &random)
            var operation = ""
            switch choice {
            case 0 ..< 75:
                let key = Self.keys[Int.random(in: 0 ..< Self.keys.count, using: &random)]
                eventClock += Int64.random(in: 0 ... 12, using: &random)
                let time = eventClock - Int64.random(in: 0 ... 40, using: &random)
                wall += Int64.random(in: 0 ... 5, using: &random)
                offset += 1
                let closed = Int.random(in: 0 ..< 100, using: &random) < 15
                operation = "route \(key) t=\(time) closed=\(closed)"
                driver.clock.advance(to: WallInstant(milliseconds: wall))
                let actual = driver.send(key, at: time, closed: closed, offset: offset)
                effective[offset] = max(time, driver.store.watermark ?? .min)
                let expected = model.route(key, time, offset, wall)
                if closed, case .existing = expected { model.noteClosed(key, time) }
                if closed, case .opened = expected { model.noteClosed(key, time) }
                let actualModel: ReferenceSessions.Route = switch actual {
                case let .existing(_, sequence): .existing(sequence)
                case let .opened(_, sequence): .opened(sequence)
                case let .late(closedAt, sequence): .late(closedAt, sequence)
                case .rejected: .rejected
                }
                #expect(actualModel == expected, "seed \(seed) step \(step): \(operation)")
            case 75 ..< 87:
                wall += Int64.random(in: 0 ... 150, using: &random)
                operation = "tick wall=\(wall)"
                driver.clock.advance(to: WallInstant(milliseconds: wall))
                driver.store.tick(now: driver.clock.now())
                driver.drain()
                model.tick(wall)
            case 87 ..< 92:
                let target = (model.maximumEventTime ?? eventClock) - 10 + Int64.random(in: 0 ... 60, using: &random)
                operation = "advance to \(target)"
                driver.advance(to: target)
                model.advance(to: target)
            case 92 ..< 97:
                operation = "evict"
                #expect(driver.store.evictEarliest() == model.closeEarliest(.evicted))
                driver.drain()
            case 97 ..< 99:
                operation = "earliest deadline"
                let expected = model.earliest([.open, .closing], by: { model.deadline($0) }).map { model.deadline(model.entries[$0]!) }
                #expect(driver.store.earliestOpenDeadline() == expected, "seed \(seed) step \(step)")
            default:
                operation = "flush"
                driver.store.closeAllOpen()
                driver.drain()
                while model.closeEarliest(.flushed) {}
            }
            let closes = driver.takeCloses()
            #expect(closes == model.pending, "seed \(seed) step \(step): \(operation)")
            model.pending = []
            #expect(driver.store.openSessionCount == model.openCount, "seed \(seed) step \(step): \(operation)")
            #expect(driver.store.rememberedSessionCount == model.rememberedCount, "seed \(seed) step \(step): \(operation)")
            #expect(driver.store.minimumRetainedOffset == model.minimumRetainedOffset, "seed \(seed) step \(step): \(operation)")
            if let maximumDuration, let minimum = driver.store.minimumRetainedOffset, let watermark = driver.store.watermark {
                #expect(watermark - effective[minimum]! < maximumDuration + 60, "seed \(seed) step \(step): bound")
            }
            #expect(driver.store.watermark == (model.maximumEventTime == nil ? nil : model.watermark), "seed \(seed) step \(step)")
            if step % 7 == 0 {
                for key in Self.keys {
                    #expect(lookupDescription(driver.store, key) == model.lookup(key), "seed \(seed) step \(step) key \(key)")
                }
            }
        }
        // The run must have exercised every rule, or the comparison proves little.
        let metrics = driver.store.metrics
        #expect(metrics.lateEvents > 0 && metrics.sessionsReopened > 0 && metrics.inactivityTimeouts > 0 && metrics.closedByEvent > 0)
        #expect(metrics.evictions > 0 && metrics.forgotten > 0 && metrics.rejectedKeys > 0)
        if maximumRemembered < 10 { #expect(metrics.forgottenEarly > 0) }
        if maximumDuration != nil { #expect(metrics.maxDurationCloses > 0, "seed \(seed)") }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func matchesTheReferenceWithTightCaps(seed: UInt64) {
        run(seed: seed, steps: 3_000, immediate: false, maximumOpen: 5, maximumRemembered: 4)
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func matchesTheReferenceWithImmediateCloses(seed: UInt64) {
        run(seed: seed, steps: 3_000, immediate: true, maximumOpen: 8, maximumRemembered: 3)
    }

    /// With a maximum session duration (150 ms, the inactivity timeout being 100 ms), so that it
    /// both ends sessions by the watermark and splits them when a later event arrives.
    @Test(arguments: [31, 32, 33, 34] as [UInt64])
    func matchesTheReferenceWithAMaximumSessionDuration(seed: UInt64) {
        run(seed: seed, steps: 3_000, immediate: seed % 2 == 0, maximumOpen: seed == 31 ? 100 : 6, maximumRemembered: seed == 31 ? 100 : 4, maximumDuration: 150)
    }

    @Test(arguments: [21, 22] as [UInt64])
    func matchesTheReferenceWithoutCapPressure(seed: UInt64) {
        run(seed: seed, steps: 3_000, immediate: false, maximumOpen: 100, maximumRemembered: 100)
    }
}
