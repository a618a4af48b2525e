// CoreBenchmark: throughput of the pure core on one core.
//
//   swift run -c release CoreBenchmark [--events N] [--repeat R] [--phase P] [--sessions K]
//
// Phases (default: all): scan (memchr-style reference pass), foundation (JSONSerialization
// reference), decode, state (decode + session update), full (decode + update + summary
// encoding at `closed`), memory (heap bytes per open session), replay (1 M open `ready`-only
// sessions through 128 `PartitionTopology`s: heap and RSS per session; not part of "all"), topology (the processor's
// per-event path: `generate`'s e2e input through 128 `PartitionTopology`s, see TopologyBench). The reported rate of each
// phase is the best of R repetitions. `--phase` runs one phase only (for valgrind/perf).
import CallbackStreamCore
import CoreBenchmarkSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

@main
enum CoreBenchmark {
    static func main() {
        var eventCount = 400_000
        var repeats = 5
        var phase = "all"
        var sessionCount = 100_000
        var replaySessions = 1_000_000
        var partitions = 128
        var arguments = CommandLine.arguments.dropFirst()
        while let flag = arguments.popFirst() {
            let value = arguments.popFirst() ?? ""
            switch flag {
            case "--events": eventCount = Int(value) ?? eventCount
            case "--repeat": repeats = max(1, Int(value) ?? repeats)
            case "--phase": phase = value
            case "--sessions": sessionCount = Int(value) ?? sessionCount
            case "--replay-sessions": replaySessions = Int(value) ?? replaySessions
            case "--partitions": partitions = Int(value) ?? partitions
            default:
                print("usage: CoreBenchmark [--events N] [--repeat R] [--phase all|scan|foundation|decode|state|full|memory|replay|topology] [--sessions K] [--replay-sessions N] [--partitions P]")
                exit(2)
            }
        }

        if phase == "replay" {
            // Not part of "all": it holds a million sessions (hundreds of MB).
            ReplayMemory.run(sessions: replaySessions, partitions: partitions)
            return
        }

        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

        if phase == "topology" {
            runTopology(events: eventCount, repeats: repeats, partitions: partitions)
            return
        }
        if phase == "all" {
            // First, so that its input (~190 MB) is released before the mix below is generated.
            runTopology(events: eventCount, repeats: repeats, partitions: partitions)
        }

        /// Runs `body` `repeats` times; returns the best duration in seconds, the checksum, and the
        /// heap allocations made by one repetition.
        func best(_ body: () -> Int) -> (seconds: Double, checksum: Int, allocations: UInt64) {
            var bestNanos = UInt64.max
            var checksum = 0
            var allocations: UInt64 = 0
            for _ in 0..<repeats {
                let before = cbs_allocation_count()
                let start = now()
                checksum = body()
                bestNanos = min(bestNanos, now() - start)
                allocations = cbs_allocation_count() - before
            }
            return (Double(bestNanos) / 1e9, checksum, allocations)
        }

        func report(_ label: String, events: Int, bytes: Int, seconds: Double, note: String = "") {
            let rate = Double(events) / seconds
            let mbps = Double(bytes) / seconds / 1e6
            print(
                label.padding(toLength: 34, withPad: " ", startingAt: 0)
                    + String(format: "%12.0f events/s  %8.1f MB/s  %7.1f ns/event  %@", rate, mbps, seconds * 1e9 / Double(events), note))
        }

        let generationStart = now()
        let mix = TrafficMix(events: eventCount)
        let records = mix.records
        let valueBytes = mix.valueBytes
        print(
            "mix: \(records.count) records, \(mix.interactions) interactions, \(valueBytes) value bytes "
                + "(avg \(valueBytes / max(records.count, 1)) B/record), generated in "
                + String(format: "%.1f s", Double(now() - generationStart) / 1e9))

        func slices<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            mix.bytes.withUnsafeBytes(body)
        }

        @inline(__always)
        func key(_ all: UnsafeRawBufferPointer, _ r: TrafficMix.Record) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: all.baseAddress! + Int(r.keyStart), count: Int(r.keyCount))
        }

        @inline(__always)
        func value(_ all: UnsafeRawBufferPointer, _ r: TrafficMix.Record) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: all.baseAddress! + Int(r.valueStart), count: Int(r.valueCount))
        }

        var scanRate = 0.0
        if phase == "all" || phase == "scan" {
            // Reference: find every '"' of every record with memchr — a floor for any JSON reader.
            let (seconds, quotes, _) = best {
                slices { all in
                    var count = 0
                    for r in records {
                        let v = value(all, r)
                        var p = v.baseAddress!
                        var remaining = v.count
                        while remaining > 0, let q = memchr(p, 0x22, remaining) {
                            count += 1
                            let advance = UnsafeRawPointer(q) - p + 1
                            p += advance
                            remaining -= advance
                        }
                    }
                    return count
                }
            }
            scanRate = Double(records.count) / seconds
            report("reference: memchr quote scan", events: records.count, bytes: valueBytes, seconds: seconds, note: "(\(quotes) quotes)")
        }

        if phase == "all" || phase == "foundation" {
            // Reference: Foundation JSONSerialization on (a prefix of) the same records.
            let n = min(records.count, 100_000)
            let bytes = records.prefix(n).reduce(0) { $0 + Int($1.valueCount) }
            let (seconds, sum, _) = best {
                slices { all in
                    var sum = 0
                    for r in records.prefix(n) {
                        let data = Data(value(all, r))
                        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                            let ts = object["timestamp"] as? Int
                        {
                            sum &+= ts
                        }
                    }
                    return sum
                }
            }
            report("reference: JSONSerialization", events: n, bytes: bytes, seconds: seconds, note: "(first \(n), checksum \(sum % 1000))")
        }

        var decodeRate = 0.0
        if phase == "all" || phase == "decode" {
            let decoder = LifecycleEventDecoder()
            let (seconds, sum, allocations) = best {
                slices { all in
                    var sum = 0
                    var rejected = 0
                    for r in records {
                        switch decoder.decode(key: key(all, r), value: value(all, r)) {
                        case .event(let e):
                            sum &+= Int(e.timestamp) &+ e.attributes.count &+ (e.metadata?.errors.count ?? 0)
                        case .rejected:
                            rejected += 1
                        }
                    }
                    precondition(rejected == 0, "the mix must decode cleanly")
                    return sum
                }
            }
            decodeRate = Double(records.count) / seconds
            report(
                "decode", events: records.count, bytes: valueBytes, seconds: seconds,
                note: "(\(allocations) heap allocations in one pass; checksum \(sum % 1000))")
        }

        var fullRate = 0.0
        for (name, encode) in [("state", false), ("full", true)] where phase == "all" || phase == name {
            var last = BenchStore()
            var peakOpen = 0
            var footprintAtPeak = 0.0
            let (seconds, _, allocations) = best {
                let decoder = LifecycleEventDecoder()
                var store = BenchStore()
                slices { all in
                    for (i, r) in records.enumerated() {
                        if case .event(let e) = decoder.decode(key: key(all, r), value: value(all, r)) {
                            store.process(e, encode: encode)
                        }
                        if i == records.count / 2 {
                            peakOpen = store.open
                        }
                    }
                }
                last = store
                return store.summaries
            }
            if encode { fullRate = Double(records.count) / seconds }
            footprintAtPeak = last.averageFootprint
            report(
                encode ? "decode + state + encode (full)" : "decode + state", events: records.count, bytes: valueBytes,
                seconds: seconds,
                note: (encode
                    ? "(\(last.summaries) summaries, avg \(last.summaryBytes / max(last.summaries, 1)) B; \(last.duplicates) duplicates; "
                    : "(~\(peakOpen) open sessions mid-run, avg footprint \(Int(footprintAtPeak)) B at the end; ")
                    + String(format: "%.3f allocations/event)", Double(allocations) / Double(records.count)))
        }

        if phase == "all" || phase == "memory" {
            // Heap bytes per open session: K interactions that reached `completed` but not `closed`
            // (the largest an open session typically gets: 5 events, 4-5 attributes, a 4-field form).
            var rng = SplitMix64(seed: 7)
            var inputs: [(key: [UInt8], value: [UInt8])] = []
            inputs.reserveCapacity(sessionCount * 5)
            for n in 0..<sessionCount {
                var interaction = Interaction(number: n, start: 1_732_550_400_000 + Int64(n), rng: &rng)
                var clock = 1_732_550_400_000 + Int64(n)
                while interaction.step < interaction.path.count - 1, let record = interaction.nextRecord(clock: clock, rng: &rng) {
                    inputs.append(record)
                    clock += 1_000
                }
            }
            let decoder = LifecycleEventDecoder()
            var store = BenchStore()
            let before = cbs_heap_in_use()
            let allocationsBefore = cbs_allocation_count()
            for input in inputs {
                input.key.withUnsafeBytes { k in
                    input.value.withUnsafeBytes { v in
                        if case .event(let e) = decoder.decode(key: k, value: v) { store.process(e, encode: false) }
                    }
                }
            }
            let heap = Double(Int(cbs_heap_in_use()) - Int(before)) / Double(store.open)
            let allocations = Double(cbs_allocation_count() - allocationsBefore) / Double(store.open)
            // The states array grows by doubling: count its used slots, not its spare capacity.
            let arraySlack = Double((store.states.capacity - store.states.count) * MemoryLayout<InteractionState>.stride)
            let heapInUse = heap - arraySlack / Double(store.open)
            let symbols = Double(store.values.memoryFootprint + store.ids.memoryFootprint) / Double(store.open)
            print(
                String(
                    format: "memory: %d open sessions (%d events, %.2f allocations/session): %.0f B per open session measured "
                        + "(heap in use, incl. %d B inline state and the store's interaction-id symbol); "
                        + "state alone %.0f B (model: inline + word buffer); symbol tables %.0f B/session",
                    store.open, inputs.count, allocations, heapInUse, MemoryLayout<InteractionState>.stride,
                    store.averageFootprint, symbols))
            withExtendedLifetime(store) {}
        }

        if phase == "all" {
            print(
                String(
                    format: "summary: decode %.2fx the memchr scan time; decode %.2f M events/s (goal 2.0), full %.2f M events/s (goal 1.0)",
                    scanRate / max(decodeRate, 1), decodeRate / 1e6, fullRate / 1e6))
        }
    }

    /// `--phase topology`: see ``TopologyBench``.
    static func runTopology(events: Int, repeats: Int, partitions: Int) {
        let generationStart = DispatchClock.now()
        let bench = TopologyBench(events: events, partitions: partitions)
        print(
            "topology input: \(bench.recordCount) records, \(bench.interactions) interactions, \(bench.valueBytes) value bytes "
                + "in \(partitions) partitions, generated in "
                + String(format: "%.1f s", DispatchClock.seconds(since: generationStart)))
        var bestNanos = UInt64.max
        var allocations: UInt64 = 0
        var totals = TopologyBench.Totals()
        for _ in 0..<repeats {
            let topologies = bench.makeTopologies()
            let before = cbs_allocation_count()
            let start = DispatchClock.now()
            totals = bench.run(topologies)
            bestNanos = min(bestNanos, DispatchClock.now() - start)
            allocations = cbs_allocation_count() - before
            withExtendedLifetime(topologies) {}
        }
        let seconds = Double(bestNanos) / 1e9
        let n = Double(bench.recordCount)
        print(
            "topology (\(partitions) partitions)".padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(
                    format: "%12.0f events/s  %8.1f MB/s  %7.1f ns/event  (%d summaries, %d dead letters, %d partials, %d progress markers, %d output bytes; %.3f allocations/event)",
                    n / seconds, Double(bench.valueBytes) / seconds / 1e6, seconds * 1e9 / n, totals.summaries, totals.deadLetters,
                    totals.partials, totals.progressMarkers, totals.outputBytes, Double(allocations) / n))
        // One more, untimed pass that hashes every output in full: must not change with an optimisation.
        print(String(format: "topology output fingerprint (FNV-1a 64 of every output, untimed pass): %016llx", bench.fingerprint()))
    }
}
