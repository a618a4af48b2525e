import TestSupport
import Testing

@testable import CallbackStreamCore

/// Drives one ``PartitionTopology`` with explicit offsets, record timestamps and arrival times,
/// and keeps every output with all its facts (issue 15's core features).
struct HardeningDriver {
    struct Output: Equatable {
        var kind: String
        var key: String
        var value: [UInt8]
        var detail: String
        var code: String = ""
        var closeReason: String = ""
        var original: DeadLetterOriginal?

        var text: String { String(decoding: value, as: UTF8.self) }
    }

    let topology: PartitionTopology
    private(set) var outputs: [Output] = []
    private(set) var nextOffset: Int64 = 0

    init(_ configuration: TopologyConfiguration) {
        topology = PartitionTopology(partition: 0, configuration: configuration)
    }

    static func describe(_ output: TopologyOutput) -> Output {
        let key = output.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let value = Array(output.value)
        switch output.info {
        case let .summary(id, outcome, reason, _, published):
            return Output(
                kind: published ? "summary" : "unpublished", key: key, value: value,
                detail: "\(String(decoding: id, as: UTF8.self)) \(outcome.rawValue) \(reason.rawValue)", closeReason: reason.rawValue)
        case let .deadLetter(code, detail, offset):
            return Output(kind: "dlq", key: key, value: value, detail: "\(detail) @\(offset)", code: code.rawValue, original: output.original)
        case .partial:
            return Output(kind: "partial", key: key, value: value, detail: "")
        case .progress:
            return Output(kind: "progress", key: key, value: value, detail: "")
        }
    }

    /// Processes one record; returns what it emitted.
    @discardableResult
    mutating func pipe(_ key: String?, _ value: [UInt8]?, recordTimestamp: Int64? = nil, arrival: Int64 = 0) -> [Output] {
        let offset = nextOffset
        nextOffset += 1
        var produced: [Output] = []
        let emit: (TopologyOutput) -> Void = { produced.append(Self.describe($0)) }
        func run(_ k: UnsafeRawBufferPointer?, _ v: UnsafeRawBufferPointer?) {
            topology.process(key: k, value: v, offset: offset, recordTimestampMs: recordTimestamp, arrivalMs: arrival, emit: emit)
        }
        switch (key.map { Array($0.utf8) }, value) {
        case let (k?, v?): k.withUnsafeBytes { kb in v.withUnsafeBytes { vb in run(kb, vb) } }
        case let (nil, v?): v.withUnsafeBytes { vb in run(nil, vb) }
        case let (k?, nil): k.withUnsafeBytes { kb in run(kb, nil) }
        case (nil, nil): run(nil, nil)
        }
        outputs += produced
        return produced
    }

    @discardableResult
    mutating func event(_ id: String, _ name: String, _ ts: Int64, recordTimestamp: Int64? = nil, arrival: Int64 = 0) -> [Output] {
        pipe(id, Array(#"{"interactionId":"\#(id)","event":"\#(name)","timestamp":\#(ts)}"#.utf8), recordTimestamp: recordTimestamp, arrival: arrival)
    }

    @discardableResult
    mutating func tick(_ now: Int64) -> [Output] {
        var produced: [Output] = []
        topology.tick(nowMs: now) { produced.append(Self.describe($0)) }
        outputs += produced
        return produced
    }

    @discardableResult
    mutating func advance(to watermark: Int64) -> [Output] {
        var produced: [Output] = []
        topology.advanceWatermark(to: watermark) { produced.append(Self.describe($0)) }
        outputs += produced
        return produced
    }

    func of(_ kind: String) -> [Output] { outputs.filter { $0.kind == kind } }
}

// MARK: - Clock skew (contract §1)

@Suite struct ClockSkewTests {
    static let t0: Int64 = 1_767_225_600_000
    static let fast = TopologyConfiguration(inactivityTimeoutMs: 10_000, allowedLatenessMs: 1_000, idleAdvanceAfterMs: 2_000, maxClockSkewMs: 60_000)

    @Test func defaultsAreFiveMinutesOfSkewAndOneHourOfSession() {
        let configuration = TopologyConfiguration()
        #expect(configuration.maxClockSkewMs == 300_000)
        #expect(configuration.maxSessionDurationMs == 3_600_000)
        #expect(RejectionCode.futureTimestamp.rawValue == "future_timestamp")
        #expect(CloseReason.maxDuration.rawValue == "maxDuration")
    }

    /// Issue 15 case 2: one browser five years ahead must not end anyone else's session.
    @Test func anEventFarAheadOfItsRecordIsDeadLetteredAndTouchesNothing() {
        var driver = HardeningDriver(Self.fast)
        for i in 0..<5 {
            driver.event("in-progress-\(i)", "opened", Self.t0 + Int64(i), recordTimestamp: Self.t0 + Int64(i))
            driver.event("in-progress-\(i)", "started", Self.t0 + 100 + Int64(i), recordTimestamp: Self.t0 + 100)
        }
        let watermark = driver.topology.watermark
        let fiveYears: Int64 = 5 * 365 * 86_400_000
        let produced = driver.event("skewed", "opened", Self.t0 + fiveYears, recordTimestamp: Self.t0 + 200)
        #expect(produced.map(\.kind) == ["dlq"])
        #expect(produced[0].code == "future_timestamp")
        #expect(produced[0].key == "skewed")
        #expect(produced[0].text.contains("\"timestamp\":\(Self.t0 + fiveYears)"))  // the record, unchanged
        #expect(produced[0].detail == "event time \(Self.t0 + fiveYears) is more than 60000 ms ahead of the record timestamp \(Self.t0 + 200) @10")
        #expect(produced[0].original == nil)
        #expect(driver.topology.watermark == watermark)
        #expect(driver.topology.openSessionCount == 5)
        #expect(driver.topology.liveSessionJSON(interactionID: "skewed") == nil)
        #expect(driver.of("summary").isEmpty)
        // The in-progress interactions go on and end normally, in their first session.
        for i in 0..<5 { driver.event("in-progress-\(i)", "closed", Self.t0 + 1_000 + Int64(i), recordTimestamp: Self.t0 + 1_000) }
        driver.event("later", "ready", Self.t0 + 3_000, recordTimestamp: Self.t0 + 3_000)
        #expect(driver.of("summary").map(\.detail) == (0..<5).map { "in-progress-\($0):1:\(Self.t0 + Int64($0)) abandonedForm closed" })
        #expect(driver.topology.sessionMetrics.lateEvents == 0)
    }

    @Test func theSkewIsInclusiveAndMeasuredFromTheRecordTimestamp() {
        var driver = HardeningDriver(Self.fast)
        #expect(driver.event("a", "opened", Self.t0 + 60_000, recordTimestamp: Self.t0).map(\.kind).filter { $0 != "progress" } == [])
        #expect(driver.topology.openSessionCount == 1)
        let rejected = driver.event("b", "opened", Self.t0 + 60_001, recordTimestamp: Self.t0)
        #expect(rejected.map(\.code) == ["future_timestamp"])
        #expect(driver.topology.openSessionCount == 1)
    }

    /// A skewed event of an open interaction neither joins nor closes its session.
    @Test func aSkewedEventOfAnOpenSessionLeavesItAlone() {
        var driver = HardeningDriver(Self.fast)
        driver.event("a", "opened", Self.t0, recordTimestamp: Self.t0)
        let live = driver.topology.liveSessionJSON(interactionID: "a")
        #expect(driver.event("a", "closed", Self.t0 + 3_600_000, recordTimestamp: Self.t0 + 10).map(\.code) == ["future_timestamp"])
        #expect(driver.topology.liveSessionJSON(interactionID: "a") == live)
        driver.event("a", "closed", Self.t0 + 20, recordTimestamp: Self.t0 + 20)
        driver.event("z", "ready", Self.t0 + 2_000, recordTimestamp: Self.t0 + 2_000)
        #expect(driver.of("summary").map(\.detail) == ["a:1:\(Self.t0) cancelledBeforeStart closed"])
    }

    /// Events older than their record timestamp (backfills, replays of history, collector delays)
    /// are normal: processed exactly as without a record timestamp.
    @Test func eventsOlderThanTheirRecordAreProcessedAsWithoutTimestamp() {
        func run(_ recordTimestamp: (Int64) -> Int64?) -> [HardeningDriver.Output] {
            var driver = HardeningDriver(Self.fast)
            let names = ["ready", "opened", "started", "submitted", "completed", "closed"]
            for i in 0..<40 {
                let ts = Self.t0 + Int64(i) * 700
                driver.event("k\(i % 7)", names[i % names.count], ts, recordTimestamp: recordTimestamp(ts))
            }
            driver.tick(1_000_000)
            return driver.outputs
        }
        let without = run { _ in nil }
        #expect(!without.isEmpty)
        #expect(run { $0 + 86_400_000 * 365 } == without)  // a year-old backfill
        #expect(run { $0 } == without)
        #expect(run { $0 - 60_000 } == without)  // exactly the skew ahead: still accepted
        #expect(run { _ in -1 } == without)  // Kafka's "no timestamp"
    }

    /// The decision depends on the record alone: the same records give the same outputs, whatever
    /// came before (a replay from any offset decides the same for each record).
    @Test func theDecisionIsTheSameInAReplay() {
        var records: [(String, Int64, Int64)] = []
        var rng = SeededRandom(seed: 15)
        for i in 0..<300 {
            let ts = Self.t0 + Int64(i) * 100
            let skewed = rng.next() % 10 == 0
            records.append(("k\(rng.next() % 20)", skewed ? ts + 60_001 + Int64(rng.next() % 1_000_000) : ts, ts))
        }
        func decisions(from start: Int) -> [Int: String] {
            var driver = HardeningDriver(Self.fast)
            var codes: [Int: String] = [:]
            for (index, record) in records.enumerated() where index >= start {
                let produced = driver.event(record.0, "opened", record.1, recordTimestamp: record.2)
                if let dlq = produced.first(where: { $0.kind == "dlq" }) { codes[index] = dlq.code }
            }
            return codes
        }
        let full = decisions(from: 0)
        #expect(full.count == records.filter { $0.1 > $0.2 + 60_000 }.count)
        #expect(full.values.allSatisfy { $0 == "future_timestamp" })
        let replayed = decisions(from: 150)
        #expect(replayed == full.filter { $0.key >= 150 })
    }

    /// A skewed record still counts as an arrival: the partition is not idle.
    @Test func aSkewedRecordResetsTheIdleTimerOnly() {
        var driver = HardeningDriver(Self.fast)
        driver.event("a", "opened", Self.t0, recordTimestamp: Self.t0, arrival: 0)
        driver.event("b", "opened", Self.t0 + 10_000_000, recordTimestamp: Self.t0, arrival: 5_000)
        let watermark = driver.topology.watermark
        driver.tick(6_000)  // 1 s after the skewed record: within the 2 s grace
        #expect(driver.topology.watermark == watermark)
        driver.tick(5_000 + 2_000 + 10_000)  // idle advancement from the skewed record's arrival
        #expect(driver.topology.watermark == Self.t0 - 1_000 + 10_000)
        #expect(driver.of("summary").isEmpty && driver.of("unpublished").isEmpty)  // a's deadline is t0 + 10 s
    }

    @Test func aZeroOrNegativeSkewRejectsEverythingAhead() {
        var driver = HardeningDriver(TopologyConfiguration(inactivityTimeoutMs: 10_000, maxClockSkewMs: -5))
        #expect(driver.event("a", "opened", Self.t0, recordTimestamp: Self.t0).filter { $0.kind != "progress" }.isEmpty)
        #expect(driver.event("b", "opened", Self.t0 + 1, recordTimestamp: Self.t0).map(\.code) == ["future_timestamp"])
    }
}

// MARK: - Maximum session duration (contract §2, §3)

@Suite struct MaxSessionDurationTests {
    static let t0: Int64 = 1_767_225_600_000
    /// Inactivity 10 s, lateness 1 s, maximum duration 60 s.
    static let configuration = TopologyConfiguration(
        inactivityTimeoutMs: 10_000, allowedLatenessMs: 1_000, idleAdvanceAfterMs: 2_000, maxSessionDurationMs: 60_000)

    /// A session kept alive by an event every 5 s ends when the watermark reaches first + 60 s.
    @Test func theWatermarkEndsASessionAtItsMaximumDuration() {
        var driver = HardeningDriver(Self.configuration)
        driver.event("hot", "opened", Self.t0)
        for i in 1...11 { driver.event("hot", "started", Self.t0 + Int64(i) * 5_000) }  // last at t0 + 55 s
        driver.event("other", "ready", Self.t0 + 60_999)  // watermark t0 + 59.999 s: not yet
        #expect(driver.of("summary").isEmpty)
        driver.event("other", "ready", Self.t0 + 61_000)  // watermark t0 + 60 s
        let summaries = driver.of("summary")
        #expect(summaries.map(\.detail) == ["hot:1:\(Self.t0) abandonedForm maxDuration"])
        #expect(summaries[0].text.contains(#""closeReason":"maxDuration""#))
        #expect(summaries[0].text.contains(#""missingClosed""#))
        #expect(driver.topology.sessionMetrics.maxDurationCloses == 1)
        // Remembered with close time t0 + 60 s: an event at or before it is late, a later one reopens.
        #expect(driver.event("hot", "closed", Self.t0 + 60_000).map(\.code) == ["late_event"])
        driver.event("hot", "ready", Self.t0 + 60_001)
        #expect(driver.topology.liveSessionJSON(interactionID: "hot")?.contains(#""sessionSeq":2"#) == true)
    }

    /// An event at or after first + maximum duration closes the session and opens the next with it.
    @Test func anEventPastTheMaximumDurationStartsTheNextSession() {
        var driver = HardeningDriver(Self.configuration)
        driver.event("k", "opened", Self.t0)
        driver.event("k", "started", Self.t0 + 8_000)
        driver.event("k", "submitted", Self.t0 + 16_000)
        driver.event("k", "started", Self.t0 + 24_000)
        driver.event("k", "started", Self.t0 + 32_000)
        driver.event("k", "started", Self.t0 + 40_000)
        driver.event("k", "started", Self.t0 + 48_000)
        driver.event("k", "started", Self.t0 + 56_000)
        #expect(driver.event("k", "started", Self.t0 + 59_999).isEmpty)  // still the first session
        let produced = driver.event("k", "opened", Self.t0 + 60_000)
        #expect(produced.map(\.detail) == ["k:1:\(Self.t0) submittedUnconfirmed maxDuration"])
        driver.event("k", "closed", Self.t0 + 61_000)
        driver.event("z", "ready", Self.t0 + 70_000)
        #expect(driver.of("summary").map(\.detail) == [
            "k:1:\(Self.t0) submittedUnconfirmed maxDuration",
            "k:2:\(Self.t0 + 60_000) cancelledBeforeStart closed",
        ])
        #expect(driver.of("summary")[1].text.contains(#""events":["opened","closed"]"#))
    }

    /// Inactivity, `closed` and ties keep their reasons; the duration runs from the opening event.
    @Test func otherReasonsComeFirstWhenTheyAreEarlier() {
        var driver = HardeningDriver(Self.configuration)
        driver.event("quiet", "opened", Self.t0)  // inactivity deadline t0 + 10 s
        driver.event("tie", "opened", Self.t0)
        for i in 1...10 { driver.event("tie", "started", Self.t0 + Int64(i) * 5_000) }  // last t0 + 50 s: deadlines both t0 + 60 s
        driver.event("done", "opened", Self.t0 + 50_000)
        driver.event("done", "closed", Self.t0 + 59_000)  // before its maximum duration
        // Out of order, earlier than the opening event: joins, does not move the maximum duration.
        driver.event("tie", "ready", Self.t0 - 30_000)
        driver.advance(to: Self.t0 + 100_000)
        let reasons = Dictionary(uniqueKeysWithValues: driver.of("summary").map { ($0.key, $0.closeReason) })
        #expect(reasons == ["quiet": "inactivityTimeout", "tie": "inactivityTimeout", "done": "closed"])
        #expect(driver.of("unpublished").isEmpty)
    }

    /// A process-wide eviction stays `inactivityTimeout` with the `evicted` anomaly.
    @Test func evictionKeepsItsReason() {
        var driver = HardeningDriver(Self.configuration)
        driver.event("a", "opened", Self.t0)
        var produced: [HardeningDriver.Output] = []
        driver.topology.evictEarliest { produced.append(HardeningDriver.describe($0)) }
        #expect(produced.map(\.closeReason) == ["inactivityTimeout"])
        #expect(produced[0].text.contains(#""evicted""#))
    }

    /// The session store alone: ties go to the inactivity timeout, the deadline is the earlier one.
    @Test func storeDeadlinesAreTheEarlierOfInactivityAndMaximumDuration() {
        var driver = StoreDriver(SessionStoreConfiguration(
            inactivityTimeout: .milliseconds(100), allowedLateness: .zero, closedSessionRetention: .milliseconds(50),
            maximumSessionDuration: .milliseconds(250)))
        driver.send("a", at: 1_000)
        driver.send("a", at: 1_090)
        #expect(driver.store.earliestOpenDeadline() == 1_190)
        driver.send("a", at: 1_180)
        driver.send("a", at: 1_240)
        #expect(driver.store.earliestOpenDeadline() == 1_250)
        driver.advance(to: 1_249)
        #expect(driver.takeCloses().isEmpty)
        driver.advance(to: 1_250)
        #expect(driver.takeCloses().map(\.description) == ["a#1 maxDuration @1250 [1000, 1090, 1180, 1240]"])
        #expect(driver.store.metrics.maxDurationCloses == 1)
        // An unlimited store (the default) never uses the reason.
        var unlimited = StoreDriver(SessionStoreConfiguration(inactivityTimeout: .milliseconds(100), allowedLateness: .zero))
        for t in stride(from: Int64(0), through: 100_000, by: 50) { unlimited.send("a", at: t) }
        #expect(unlimited.takeCloses().isEmpty)
        #expect(SessionStoreConfiguration().maximumSessionDurationMilliseconds == .max)
        #expect(SessionStoreConfiguration(maximumSessionDuration: .zero).maximumSessionDurationMilliseconds == 1)
    }
}

// MARK: - Bounded dead letters (contract §1, issue 15 "Size")

@Suite struct BoundedDeadLetterTests {
    static let t0: Int64 = 1_767_225_600_000

    static func bigRecord(_ size: Int) -> [UInt8] {
        var bytes = Array(#"{"interactionId":"big","event":"opened","timestamp":1767225600000,"attributes":{"pad":""#.utf8)
        var i = 0
        while bytes.count < size - 3 {
            bytes.append(UInt8(ascii: "a") + UInt8(i % 26))
            i += 1
        }
        bytes += Array(#""}}"#.utf8)
        return bytes
    }

    /// Issue 15 case 1: a 1.2 MB record becomes a 4 KiB dead letter with its size and hash.
    @Test func aHugeRecordIsDeadLetteredAsABoundedPrefixWithSizeAndHash() {
        var driver = HardeningDriver(TopologyConfiguration())
        let value = Self.bigRecord(1_200_000)
        #expect(value.count == 1_200_000)
        let produced = driver.pipe("big", value)
        #expect(produced.count == 1)
        let dlq = produced[0]
        #expect(dlq.code == "too_large")
        #expect(dlq.key == "big")
        #expect(dlq.value == Array(value.prefix(4_096)))
        #expect(dlq.original == DeadLetterOriginal(size: 1_200_000, sha256: SHA256.hexDigest(of: value)))
        let hex = dlq.original?.sha256 ?? ""
        #expect(hex.utf8.count == 64 && hex.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        // The valid record after it is processed.
        driver.event("next", "opened", Self.t0)
        #expect(driver.topology.openSessionCount == 1)
    }

    @Test(arguments: [
        (65_536, 65_536, nil),  // at the limit: not too large (a dead letter for being invalid JSON)
        (65_536, 65_537, 4_096),
        (2_048, 2_049, 2_048),
        (2_048, 2_048, nil),
        (100, 1_025, 1_024),  // the decoder's limit is at least 1 KiB
        (100, 1_024, nil),
    ] as [(Int, Int, Int?)])
    func theLimitAndThePrefixLength(maxRecordBytes: Int, size: Int, prefix: Int?) {
        var driver = HardeningDriver(TopologyConfiguration(maxRecordBytes: maxRecordBytes))
        var value = Array(repeating: UInt8(ascii: "x"), count: size)  // not JSON: always a dead letter
        value[0] = UInt8(ascii: "{")
        let produced = driver.pipe("k", value)
        #expect(produced.map(\.kind) == ["dlq"])
        if let prefix {
            #expect(produced[0].code == "too_large")
            #expect(produced[0].value == Array(value.prefix(prefix)))
            #expect(produced[0].original?.size == size)
            #expect(produced[0].original?.sha256 == SHA256.hexDigest(of: value))
        } else {
            #expect(produced[0].code == "invalid_json")
            #expect(produced[0].value == value)
            #expect(produced[0].original == nil)
        }
    }

    /// Other dead letters (late, skewed, keyless, valueless) are unchanged and carry no original.
    @Test func smallDeadLettersAreUnchanged() {
        var driver = HardeningDriver(TopologyConfiguration(inactivityTimeoutMs: 1_000, allowedLatenessMs: 0))
        driver.event("a", "closed", Self.t0)
        driver.event("b", "ready", Self.t0 + 10)
        driver.event("a", "opened", Self.t0 - 5)  // late
        driver.event("c", "opened", Self.t0 + 900_000, recordTimestamp: Self.t0)  // skewed
        driver.pipe(nil, Array(#"{"interactionId":"d","event":"ready","timestamp":1}"#.utf8))
        driver.pipe("e", nil)
        let dlq = driver.of("dlq")
        #expect(dlq.map(\.code) == ["late_event", "future_timestamp", "key_mismatch", "invalid_json"])
        #expect(dlq.allSatisfy { $0.original == nil })
        #expect(dlq[3].value.isEmpty)
    }
}
