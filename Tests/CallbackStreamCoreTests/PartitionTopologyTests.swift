import TestSupport
import Testing
@testable import CallbackStreamCore

/// Drives a ``PartitionTopology`` like Kafka Streams' TopologyTestDriver: records and clock ticks
/// in, published records out, no broker.
struct TopologyDriver {
    struct Output: Equatable {
        var kind: String
        var key: String
        var value: String
        var detail: String
    }

    let topology: PartitionTopology
    private(set) var outputs: [Output] = []
    private var offset: Int64 = 0

    init(_ configuration: TopologyConfiguration = TopologyDriver.fast) {
        topology = PartitionTopology(partition: 0, configuration: configuration)
    }

    static let fast = TopologyConfiguration(
        inactivityTimeoutMs: 10_000, allowedLatenessMs: 1_000, idleAdvanceAfterMs: 2_000, windowMs: 60_000,
        alertThreshold: 0.2, alertMinVolume: 2)

    mutating func pipe(_ key: String, _ value: String, arrivalMs: Int64 = 0) {
        var key = key, value = value
        let current = offset
        offset += 1
        var produced: [Output] = []
        key.withUTF8 { k in
            value.withUTF8 { v in
                topology.process(key: UnsafeRawBufferPointer(k), value: UnsafeRawBufferPointer(v), offset: current, arrivalMs: arrivalMs) {
                    produced.append(Self.describe($0))
                }
            }
        }
        outputs += produced
    }

    mutating func tick(_ nowMs: Int64) {
        var produced: [Output] = []
        topology.tick(nowMs: nowMs) { produced.append(Self.describe($0)) }
        outputs += produced
    }

    static func describe(_ output: TopologyOutput) -> Output {
        let key = output.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let value = String(decoding: output.value, as: UTF8.self)
        switch output.info {
        case let .summary(id, outcome, reason, _, published):
            return Output(kind: published ? "summary" : "unpublished", key: key, value: value, detail: "\(String(decoding: id, as: UTF8.self)) \(outcome.rawValue) \(reason.rawValue)")
        case let .deadLetter(code, _, offset):
            return Output(kind: "dlq", key: key, value: value, detail: "\(code.rawValue)@\(offset)")
        case let .partial(windowStart):
            return Output(kind: "partial", key: key, value: value, detail: "\(windowStart)")
        case let .progress(completeThrough, _, _):
            return Output(kind: "progress", key: key, value: value, detail: "\(completeThrough)")
        }
    }

    func of(_ kind: String) -> [Output] { outputs.filter { $0.kind == kind } }
}

@Suite struct PartitionTopologyTests {
    static let t0: Int64 = 1_767_225_600_000

    static func event(_ id: String, _ name: String, _ ts: Int64, _ extra: String = "") -> String {
        "{\"interactionId\":\"\(id)\",\"event\":\"\(name)\",\"timestamp\":\(ts)\(extra)}"
    }

    static func scenario(_ id: String, _ names: [String], start: Int64, step: Int64 = 1_000, extra: String = "") -> [(String, String)] {
        names.enumerated().map { (id, event(id, $0.element, start + Int64($0.offset) * step, extra)) }
    }

    @Test func seedScenariosGiveTheirOutcomesOnceTheWatermarkPassesClosed() {
        var driver = TopologyDriver()
        let records = Self.scenario("a", ["ready", "opened", "cancelled", "closed"], start: Self.t0)
            + Self.scenario("b", ["ready", "opened", "started", "cancelled", "closed"], start: Self.t0)
            + Self.scenario("c", ["ready", "opened", "started", "submitted", "completed", "closed"], start: Self.t0)
        for (key, value) in records { driver.pipe(key, value) }
        // The watermark is at t0 + 4 s (lateness 1 s): c's `closed` at t0 + 5 s waits for it.
        #expect(driver.of("summary").map(\.key) == ["a", "b"])
        driver.pipe("x", Self.event("x", "ready", Self.t0 + 7_000))  // moves the watermark to t0 + 6 s
        let summaries = driver.of("summary")
        #expect(summaries.map(\.detail) == [
            "a:1:\(Self.t0) cancelledBeforeStart closed",
            "b:1:\(Self.t0) abandonedForm closed",
            "c:1:\(Self.t0) completed closed",
        ])
        #expect(summaries.allSatisfy { $0.value.hasPrefix("{\"schemaVersion\":1,\"summaryId\":") })
    }

    @Test func badRecordsBecomeDeadLettersWithTheirOffsetAndOriginalBytes() {
        var driver = TopologyDriver()
        driver.pipe("k", "{nope")
        driver.pipe("other", Self.event("k", "opened", Self.t0))
        driver.pipe("k", Self.event("k", "teleported", Self.t0))
        #expect(driver.of("dlq").map(\.detail) == ["invalid_json@0", "key_mismatch@1", "unknown_event@2"])
        #expect(driver.of("dlq")[0].value == "{nope")
    }

    @Test func lateEventAfterCloseIsADeadLetterAndALaterOneReopens() {
        var driver = TopologyDriver()
        for (key, value) in Self.scenario("r", ["opened", "cancelled", "closed"], start: Self.t0) { driver.pipe(key, value) }
        driver.pipe("z", Self.event("z", "ready", Self.t0 + 10_000))  // closes r at t0 + 2 s
        driver.pipe("r", Self.event("r", "opened", Self.t0 + 1_500))
        #expect(driver.of("dlq").map(\.detail) == ["late_event@4"])
        driver.pipe("r", Self.event("r", "opened", Self.t0 + 20_000))
        driver.pipe("r", Self.event("r", "closed", Self.t0 + 21_000))
        driver.pipe("z", Self.event("z", "ready", Self.t0 + 40_000))
        let ids = driver.of("summary").map { $0.detail.split(separator: " ")[0] }
        #expect(ids.contains("r:1:\(Self.t0)") && ids.contains("r:2:\(Self.t0 + 20_000)"))
    }

    @Test func idleTicksEndAbandonedSessionsWhenTrafficStops() {
        var driver = TopologyDriver()
        driver.pipe("q", Self.event("q", "opened", Self.t0), arrivalMs: 1_000)
        driver.pipe("q", Self.event("q", "started", Self.t0 + 100), arrivalMs: 1_000)
        driver.tick(1_000 + 2_000 + 10_000)  // grace 2 s, then 10 s of idle advancement: not yet
        #expect(driver.of("summary").isEmpty)
        driver.tick(1_000 + 2_000 + 11_100)  // watermark = t0+100 − 1 s + 11.1 s = last event + timeout
        #expect(driver.of("summary").map(\.detail) == ["q:1:\(Self.t0) abandonedForm inactivityTimeout"])
    }

    @Test func windowsPublishPartialsAndMarkersThatMergeIntoStatsAndAnAlert() {
        var driver = TopologyDriver()
        let failed = ",\"metadata\":{\"errors\":[\"TIMEOUT\"]}"
        for i in 0..<3 {
            let id = "f\(i)"
            for (key, value) in Self.scenario(id, ["opened", "started", "submitted"], start: Self.t0 + Int64(i) * 100, step: 100, extra: failed) {
                driver.pipe(key, value)
            }
            driver.pipe(id, Self.event(id, "closed", Self.t0 + Int64(i) * 100 + 400))
        }
        driver.pipe("late", Self.event("late", "ready", Self.t0 + 130_000))  // passes the first window's end
        #expect(driver.of("summary").count == 3)
        let partials = driver.of("partial")
        #expect(partials.count == 1)
        #expect(partials.first?.value.contains("\"submissions\":3") == true)
        #expect(partials.first?.key == "\(Self.t0)" && partials.first?.detail == "\(Self.t0)")
        // One marker for the first advance (watermark t0 − 1 s: complete through t0 − 60 s), one for
        // the advance crossing t0 + 60 s and t0 + 120 s at once.
        #expect(driver.of("progress").map(\.detail) == ["\(Self.t0 - 60_000)", "\(Self.t0 + 120_000)"])
        #expect(driver.of("progress").allSatisfy { $0.key == "0" })
        // Partials and markers in the order emitted: the merger (one partition) publishes the window.
        var merger = WindowMerger(configuration: WindowMergerConfiguration(topology: TopologyDriver.fast))
        var merged: [WindowMergeOutput] = []
        for (offset, output) in driver.outputs.enumerated() where output.kind == "partial" || output.kind == "progress" {
            merged += Array(output.value.utf8).withUnsafeBytes { merger.add(value: $0, offset: Int64(offset), nowMs: 0) }
        }
        #expect(merger.metrics.rejectedMessages == 0)
        #expect(merged.count == 2)
        guard case let .stats(record, key, _)? = merged.first, case let .alert(alert, _, value)? = merged.last else {
            Issue.record("expected stats then alert: \(merged)")
            return
        }
        #expect(record.submissions == 3 && record.inputPartitions == 1 && record.completePartitions == 1 && key.isEmpty)
        #expect(alert.submissionsWithErrors == 3)
        #expect(String(decoding: value, as: UTF8.self).contains("TIMEOUT"))
    }

    @Test func theSameRecordsAndTicksAlwaysGiveTheSameOutputs() {
        var rng = SeededRandom(seed: 7)
        var records: [(String, String, Int64)] = []
        for i in 0..<200 {
            let id = "s\(i % 40)"
            let names = ["ready", "opened", "started", "submitted", "completed", "closed", "cancelled"]
            let name = names[Int(rng.next() % UInt64(names.count))]
            records.append((id, Self.event(id, name, Self.t0 + Int64(i) * 250 + Int64(rng.next() % 500)), Int64(i)))
        }
        func run() -> [TopologyDriver.Output] {
            var driver = TopologyDriver()
            for (key, value, arrival) in records {
                driver.pipe(key, value, arrivalMs: arrival)
                if arrival % 17 == 0 { driver.tick(arrival) }
            }
            driver.tick(1_000_000)
            return driver.outputs
        }
        let first = run()
        #expect(!first.isEmpty)
        #expect(run() == first)
    }

    @Test func restoringTheWatermarkAfterAReplayReproducesTheOriginalCloses() {
        // Original run: records, then an idle stretch advances the watermark and ends sessions.
        var original = TopologyDriver()
        let records = Self.scenario("p", ["ready", "opened", "started"], start: Self.t0)
            + Self.scenario("q", ["ready", "opened", "cancelled", "closed"], start: Self.t0 + 500)
        for (key, value) in records { original.pipe(key, value, arrivalMs: 0) }
        original.tick(60_000)
        let watermark = original.topology.watermark
        // Replay: the same records without the idle stretch, then the watermark from the commit.
        var replay = TopologyDriver()
        for (key, value) in records { replay.pipe(key, value, arrivalMs: 0) }
        var restored: [TopologyDriver.Output] = []
        replay.topology.advanceWatermark(to: watermark) { restored.append(TopologyDriver.describe($0)) }
        #expect((replay.outputs + restored).filter { $0.kind == "summary" } == original.of("summary"))
        #expect(original.of("summary").count == 2)
    }
}
