import Foundation
import Glibc
import Testing

extension Reliability {
    /// Scenario 5: millions of distinct interactions that never close, against
    /// `--max-open-sessions`. Memory must stay bounded, and the sessions pushed out by the cap
    /// must be counted (`callback_stream_evictions_total`) and summarized (anomaly `evicted`).
    @Suite struct KeyCardinalityFlood {
        /// What the summaries topic holds in this scenario.
        struct Census: Sendable {
            var seen: [Bool]
            var records = 0
            var duplicates = 0
            var foreign = 0
            var notEvicted = 0
            var wrongOutcome = 0
            var closeReasons: [String: Int] = [:]
            var example = ""

            init(count: Int) {
                seen = Array(repeating: false, count: count)
            }

            mutating func add(_ record: KcatRecordParser.View) {
                records += 1
                guard let key = record.key, let index = FloodRecords.index(of: key), index < seen.count, let value = record.value else {
                    foreign += 1
                    return
                }
                if seen[index] { duplicates += 1 } else { seen[index] = true }
                if !Self.contains(value, #""anomalies":["#), !Self.contains(value, #""evicted""#) { notEvicted += 1 }
                if !Self.contains(value, #""outcome":"cancelledBeforeStart""#) { wrongOutcome += 1 }
                for reason in ["closed", "inactivityTimeout"] where Self.contains(value, "\"closeReason\":\"\(reason)\"") {
                    closeReasons[reason, default: 0] += 1
                }
                if example.isEmpty { example = String(decoding: value, as: UTF8.self) }
            }

            /// Whether `needle` occurs in `haystack` (memchr for the first byte, memcmp for the rest).
            static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: String) -> Bool {
                var needle = needle
                return needle.withUTF8 { pattern in
                    guard let base = haystack.baseAddress, let first = pattern.first, pattern.count <= haystack.count else { return false }
                    var position = 0
                    while position + pattern.count <= haystack.count {
                        guard let hit = memchr(base + position, Int32(first), haystack.count - pattern.count - position + 1) else { return false }
                        let offset = base.distance(to: UnsafeRawPointer(hit))
                        if memcmp(base + offset, pattern.baseAddress!, pattern.count) == 0 { return true }
                        position = offset + 1
                    }
                    return false
                }
            }
        }

        @Test func openSessionCapBoundsMemoryAndEvictionsAreSummarized() async throws {
            let scale = ReliabilityScale.current
            let interactions = scale.pick(ci: 500_000, full: 2_000_000)
            let cap = scale.pick(ci: 20_000, full: 100_000)
            let partitions = scale.pick(ci: 32, full: 64)

            try await ReliabilityRow.record(id: "5-key-cardinality", scenario: "Key-cardinality flood") { row in
                var expect = Expectations()
                let pipeline = try await Pipeline.start(partitions: partitions)
                defer { pipeline.stop() }
                let census = Locked(Census(count: interactions))
                let summaries = try TopicTail(bootstrap: pipeline.bootstrap, topic: "callback.summaries") { record in
                    census.withLock { $0.add(record) }
                }
                defer { summaries.stop() }
                let deadLetters = try TopicTail(bootstrap: pipeline.bootstrap, topic: "callback.lifecycle.dlq") { _ in }
                defer { deadLetters.stop() }
                let settings = [
                    "--max-open-sessions", "\(cap)", "--commit-interval", "1s",
                    "--metrics-address", "127.0.0.1", "--metrics-port", "0",
                    "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
                ]
                let (processor, port) = try await pipeline.startProcessor(settings: settings)
                defer {
                    ReliabilityRow.saveLogs(id: "5-key-cardinality", [("processor", processor)])
                    processor.kill()
                }
                try await processor.wait(for: "the assignment", timeout: .seconds(60)) { $0.stderr.contains("partition assigned") }
                let baseline = ProcessMemory.read("VmRSS", pid: processor.pid) ?? 0

                let clock = ContinuousClock()
                let started = clock.now
                let producer = try FloodRecords(count: interactions).produce(bootstrap: pipeline.bootstrap)
                defer { producer.kill() }
                var consumed = 0.0
                var peakOpen = 0.0
                var hwmAtHalf: Int?
                let deadline = clock.now + .seconds(scale.pick(ci: 180, full: 1_200))
                while clock.now < deadline, processor.exit == nil {
                    let metrics = try await MetricsReading.fetch(port: port)
                    consumed = metrics.sum("callback_stream_records_consumed_total")
                    peakOpen = max(peakOpen, metrics.sum("callback_stream_open_sessions"))
                    if hwmAtHalf == nil, consumed >= Double(interactions / 2) {
                        hwmAtHalf = ProcessMemory.read("VmHWM", pid: processor.pid)
                    }
                    if consumed >= Double(interactions) { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                let floodSeconds = Double((clock.now - started).components.seconds)
                let producerExit = try await producer.waitForExit(timeout: .seconds(60))
                expect.check(producerExit.status == 0, "kcat delivered every flood record: \(producer.stderr.suffix(500))")

                // Every eviction's summary is published before its input is committed; wait for them.
                let expectedEvictions = interactions - cap
                try await summaries.wait(for: "\(expectedEvictions) eviction summaries", timeout: .seconds(scale.pick(ci: 120, full: 600))) {
                    census.withLock { $0.records } >= expectedEvictions
                }
                let metrics = try await MetricsReading.fetch(port: port)
                let peak = ProcessMemory.read("VmHWM", pid: processor.pid) ?? 0
                let result = census.withLock { $0 }
                let evictions = Int(metrics.sum("callback_stream_evictions_total"))
                let open = Int(metrics.sum("callback_stream_open_sessions"))
                let summarized = result.seen.count { $0 }

                // Memory: the cap bounds the sessions; what a process holding every session would
                // need is at least interactions × 250 B (BENCHMARKS.md: 230–300 B per open session).
                let megabyte = 1_048_576
                let bound = baseline + cap * 2_048 + 320 * megabyte
                let unbounded = baseline + interactions * 250
                row.load = "\(grouped(interactions)) distinct interactions that never close (one `opened` event each), \(partitions) partitions, kcat unthrottled"
                row.faults = "key flood against --max-open-sessions \(grouped(cap))"
                row.lost = expectedEvictions - summarized
                row.invented = result.foreign + result.notEvicted + result.wrongOutcome
                row.duplicates = result.duplicates
                row.nonIdenticalDuplicates = 0
                row.notes = "VmHWM \(peak / megabyte) MiB (RSS at start \(baseline / megabyte) MiB, at half the flood \((hwmAtHalf ?? 0) / megabyte) MiB; bound \(bound / megabyte) MiB; "
                    + "holding every session would need ≥ \(unbounded / megabyte) MiB); callback_stream_evictions_total \(grouped(evictions)); "
                    + "open sessions \(grouped(open)) (peak \(grouped(Int(peakOpen)))); \(grouped(summarized)) eviction summaries, close reasons \(result.closeReasons); "
                    + "flood consumed in \(Int(floodSeconds)) s"

                expect.check(consumed == Double(interactions), "every flood record was consumed (\(consumed))")
                expect.check(evictions == expectedEvictions, "evictions_total is interactions − cap = \(expectedEvictions) (got \(evictions))")
                expect.check(open == cap, "exactly the cap stays open (\(open))")
                expect.check(Double(open) <= Double(cap), "never more than the cap open after a turn (peak \(peakOpen))")
                expect.check(result.records == expectedEvictions && summarized == expectedEvictions,
                             "one summary per eviction: \(result.records) records for \(summarized) interactions, \(expectedEvictions) expected")
                expect.check(result.duplicates == 0 && result.foreign == 0, "no duplicate or unknown summary (\(result.duplicates), \(result.foreign))")
                expect.check(result.notEvicted == 0, "every eviction summary carries the anomaly `evicted` (\(result.notEvicted) do not): \(result.example)")
                expect.check(result.wrongOutcome == 0, "an opened-only session is cancelledBeforeStart (\(result.wrongOutcome) differ)")
                expect.check(Int(metrics.sum("callback_stream_summaries_total")) == expectedEvictions, "summaries_total counts the evictions")
                expect.check(peak < bound, "VmHWM \(peak / megabyte) MiB stays under \(bound / megabyte) MiB")
                // Holding the second half's sessions would add ≥ interactions / 2 × 250 B; with the
                // cap, the peak must grow by less than half of that over the second half.
                let unboundedGrowth = interactions / 2 * 250
                expect.check(hwmAtHalf != nil && peak - (hwmAtHalf ?? 0) < unboundedGrowth / 2,
                             "memory stops growing with the key count: VmHWM grew \((peak - (hwmAtHalf ?? 0)) / megabyte) MiB over the second half of the flood (limit \(unboundedGrowth / 2 / megabyte) MiB)")
                try await deadLetters.catchUp(pipeline, partitions: partitions)
                expect.check(deadLetters.count == 0, "nothing is dead-lettered (\(deadLetters.count))")
                let truncated = try await pipeline.truncatedPartitions("callback.lifecycle", partitions: partitions)
                expect.check(truncated.isEmpty, "no input record was deleted by retention (partitions \(truncated))")
                expect.check(summaries.holes.isEmpty, "every summary was read (no retention holes: \(summaries.holes))")
                expect.check(processor.exit == nil, "the processor survives the flood")
                return expect.failures
            }
        }
    }
}
