import TestSupport
import Testing

@testable import CallbackStreamCore

/// The two stages end to end, without a broker: 8 input partitions × 3 tenants of generated
/// sessions with ground truth → per-partition ``WindowAggregator``s → partials and markers on
/// 2 partials partitions, routed as the processor routes them (``WindowRouting``: a marker only
/// to the partitions of the windows it newly reports complete), shuffled across input
/// partitions, in order within one, with replayed duplicates → one ``WindowMerger`` per
/// partials partition.
@Suite struct WindowMergerPropertyTests {
    static let partitions: Int32 = 8
    static let partialsPartitions: Int32 = 2
    static let t0: Int64 = 1_767_225_600_000
    static let windows = 5
    static let emptyWindow = 2
    static let configuration = WindowMergerConfiguration(alertThreshold: 0.2, alertMinVolume: 20)

    struct Session {
        var partition: Int32
        var contribution: SessionContribution
    }

    /// Per window: "spike" has 5 submissions per partition, 2 with errors (40 % over all
    /// partitions, but under the volume in each); "local" has 25 per partition, 10 with errors
    /// in partition 0 only (40 % there, 5 % over all); "calm" random traffic with few errors.
    /// Window 2 has no session at all.
    static func sessions(seed: UInt64) -> [Session] {
        var random = SeededRandom(seed: seed)
        var result: [Session] = []
        func elapsed() -> Int64? {
            guard Int.random(in: 0 ..< 10, using: &random) > 0 else { return nil }
            // Long-tailed: 1 ms … ~1 h.
            return Int64(Double.random(in: 0 ... 22, using: &random).exp2Rounded)
        }
        func add(_ partition: Int32, _ tenant: String?, window: Int, submitted: Bool, errors: [String], outcome: Int) {
            let closeTime = t0 + Int64(window) * 60_000 + Int64.random(in: 0 ..< 60_000, using: &random)
            result.append(Session(partition: partition, contribution: SessionContribution(
                closeTime: closeTime, tenant: tenant, outcome: outcome, submitted: submitted, errorCodes: errors,
                elapsedMilliseconds: elapsed(), closeReason: Bool.random(using: &random) ? .closed : .inactivityTimeout)))
        }
        for window in 0 ..< windows where window != emptyWindow {
            for partition in 0 ..< partitions {
                for index in 0 ..< 5 {
                    add(partition, "spike", window: window, submitted: true, errors: index < 2 ? ["E_SPIKE", "E_\(index)"] : [], outcome: index < 2 ? 1 : 0)
                }
                for index in 0 ..< 25 {
                    let failing = partition == 0 && index < 10
                    add(partition, "local", window: window, submitted: true, errors: failing ? ["E_LOCAL"] : [], outcome: failing ? 1 : 0)
                }
                for _ in 0 ..< Int.random(in: 0 ... 30, using: &random) {
                    let submitted = Bool.random(using: &random)
                    let failing = Int.random(in: 0 ..< 40, using: &random) == 0
                    add(partition, Bool.random(using: &random) ? "calm" : nil, window: window, submitted: submitted,
                        errors: failing ? ["E_\(Int.random(in: 0 ..< 4, using: &random))"] : [],
                        outcome: Int.random(in: 0 ..< 6, using: &random))
                }
            }
        }
        return result
    }

    struct Emitted {
        var windowStart: Int64?  // nil: a progress marker
        var value: [UInt8]
        /// A marker's partials partitions, as the processor routes it (``WindowRouting``).
        var markerPartitions: [Int32] = []
    }

    /// Stage 1: each partition's sessions in close-time order, the watermark 5 s behind, then
    /// far ahead; `duplicates` replayed partials re-sent later in the same partition's stream.
    static func stageOne(_ sessions: [Session], duplicates: Int, random: inout SeededRandom) -> [[Emitted]] {
        (0 ..< partitions).map { partition in
            var aggregator = WindowAggregator(configuration: WindowConfiguration(partition: partition, inputPartitionCount: partitions))
            var stream: [Emitted] = []
            var previousMarker: Int64?
            func drain() {
                aggregator.drainOutputs { output in
                    switch output {
                    case let .partial(partial): stream.append(Emitted(windowStart: partial.windowStart, value: WindowPartialEncoder().encode(partial)))
                    case let .progress(marker):
                        var partitions: [Int32] = []
                        WindowRouting.forEachProgressPartition(
                            since: previousMarker, through: marker.completeThrough, windowSize: 60_000, partialsPartitionCount: partialsPartitions
                        ) { partitions.append($0) }
                        previousMarker = marker.completeThrough
                        stream.append(Emitted(windowStart: nil, value: WindowPartialEncoder().encode(marker), markerPartitions: partitions))
                    }
                }
            }
            for session in sessions.filter({ $0.partition == partition }).sorted(by: { $0.contribution.closeTime < $1.contribution.closeTime }) {
                aggregator.add(session.contribution)
                aggregator.advance(to: session.contribution.closeTime - 5_000)
                drain()
            }
            aggregator.advance(to: t0 + Int64(windows + 2) * 60_000)
            drain()
            #expect(aggregator.metrics.clampedContributions == 0)
            for _ in 0 ..< duplicates {
                let partials = stream.indices.filter { stream[$0].windowStart != nil }
                let original = partials.randomElement(using: &random)!
                stream.insert(stream[original], at: Int.random(in: original + 1 ... stream.count, using: &random))
            }
            return stream
        }
    }

    /// What partials partition `k` receives: the input partitions' streams filtered by the
    /// routing, interleaved at random (in order within each input partition).
    static func interleave(_ streams: [[Emitted]], partialsPartition k: Int32, random: inout SeededRandom) -> [[UInt8]] {
        var queues = streams.map { stream in
            stream.filter {
                $0.windowStart.map { WindowRouting.partialsPartition(windowStart: $0, partialsPartitionCount: partialsPartitions) == k }
                    ?? $0.markerPartitions.contains(k)
            }
        }
        var positions = [Int](repeating: 0, count: queues.count)
        var result: [[UInt8]] = []
        while true {
            let ready = queues.indices.filter { positions[$0] < queues[$0].count }
            guard let source = ready.randomElement(using: &random) else { break }
            result.append(queues[source][positions[source]].value)
            positions[source] += 1
        }
        queues.removeAll()
        return result
    }

    static func merge(_ values: [[UInt8]], from start: Int = 0, into merger: inout WindowMerger) -> [WindowMergeOutput] {
        var outputs: [WindowMergeOutput] = []
        for index in start ..< values.count {
            outputs += values[index].withUnsafeBytes { merger.add(value: $0, offset: Int64(index), nowMs: 0) }
        }
        return outputs
    }

    struct Truth {
        var sessions = 0
        var outcomes = [Int](repeating: 0, count: 6)
        var submissions = 0
        var withErrors = 0
        var codes: [String: Int] = [:]
        var elapsed: [Int64] = []
    }

    static func truth(_ sessions: [Session]) -> [String: Truth] {
        var result: [String: Truth] = [:]
        for session in sessions {
            let c = session.contribution
            let id = WindowStatsRecord.id(tenant: c.tenant, windowStart: c.closeTime - (c.closeTime - t0) % 60_000)
            result[id, default: Truth()].sessions += 1
            result[id]!.outcomes[c.outcome] += 1
            if c.submitted {
                result[id]!.submissions += 1
                if !c.errorCodes.isEmpty { result[id]!.withErrors += 1 }
            }
            for code in Set(c.errorCodes) { result[id]!.codes[code, default: 0] += 1 }
            if let value = c.elapsedMilliseconds { result[id]!.elapsed.append(value) }
        }
        return result
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func oneExactRecordPerTenantAndWindow(seed: UInt64) throws {
        let sessions = Self.sessions(seed: seed)
        var random = SeededRandom(seed: seed &* 31)
        let streams = Self.stageOne(sessions, duplicates: 6, random: &random)
        let truth = Self.truth(sessions)
        var records: [String: WindowStatsRecord] = [:]
        var alerts: [String: ErrorSpikeAlert] = [:]
        var duplicates = 0, completeWindows = 0
        for k in 0 ..< Self.partialsPartitions {
            let values = Self.interleave(streams, partialsPartition: k, random: &random)
            var merger = WindowMerger(configuration: Self.configuration)
            for output in Self.merge(values, into: &merger) {
                switch output {
                case let .stats(record, key, _):
                    #expect(records.updateValue(record, forKey: record.statsId) == nil, "twice: \(record.statsId)")
                    #expect(key == Array((record.tenant ?? "").utf8))
                case let .alert(alert, _, _):
                    #expect(alerts.updateValue(alert, forKey: alert.alertId) == nil, "twice: \(alert.alertId)")
                case .latePartial:
                    Issue.record("late partial: \(output)")
                }
            }
            #expect(merger.openWindowCount == 0 && merger.metrics.incompleteWindows == 0 && merger.metrics.rejectedMessages == 0)
            duplicates += merger.metrics.duplicatePartials
            completeWindows += merger.metrics.completeWindows
        }
        #expect(duplicates == 6 * Int(Self.partitions))
        #expect(completeWindows == Self.windows - 1)  // the empty window publishes nothing
        #expect(Set(records.keys) == Set(truth.keys))
        #expect(!records.values.contains { $0.windowStart == Self.t0 + Int64(Self.emptyWindow) * 60_000 })
        for (id, expected) in truth {
            let record = try #require(records[id])
            #expect(record.sessions == expected.sessions, "\(id)")
            #expect(record.outcomes.map(\.count) == expected.outcomes, "\(id)")
            #expect(record.submissions == expected.submissions && record.submissionsWithErrors == expected.withErrors, "\(id)")
            #expect(record.errorCodes == expected.codes.map { StatsCount(name: $0.key, count: $0.value) }.sorted { $0.name < $1.name }, "\(id)")
            #expect(record.inputPartitions == 8 && record.completePartitions == 8)
            let sorted = expected.elapsed.sorted()
            #expect(record.elapsed.count == Int64(sorted.count) && record.elapsed.minimum == sorted.first && record.elapsed.maximum == sorted.last)
            for (q, estimate) in [(0.5, record.elapsed.p50), (0.95, record.elapsed.p95), (0.99, record.elapsed.p99)] where !sorted.isEmpty {
                let exact = Double(sorted[Int(q * Double(sorted.count - 1))])
                let value = Double(try #require(estimate))
                #expect(abs(value - exact) <= 0.01 * exact + 0.5, "\(id) p\(Int(q * 100)): \(value) vs exact \(exact)")
            }
            // The alert rule on the truth over all partitions.
            let fires = expected.submissions >= 20 && Double(expected.withErrors) / Double(expected.submissions) > 0.2
            #expect((alerts[id] != nil) == fires, "\(id)")
        }
        let spikeWindows = records.values.filter { $0.tenant == "spike" }.map(\.windowStart)
        #expect(spikeWindows.count == Self.windows - 1)
        #expect(Set(alerts.values.filter { $0.tenant == "spike" }.map(\.windowStart)) == Set(spikeWindows))
        #expect(!alerts.values.contains { $0.tenant == "local" })  // 40 % in partition 0 alone, 5 % over all
        #expect(alerts.values.allSatisfy { $0.tenant == "spike" || $0.tenant == "calm" || $0.tenant == nil })
    }

    /// Partition 5 is silent (its owner died and nobody took it over): every window is published
    /// once, at its timeout, with the other partitions' exact counts and `completePartitions` 7;
    /// when partition 5 comes back, its partials are late (counted, reported, not merged).
    @Test func aSilentPartitionGivesIncompleteWindowsAtTheTimeoutAndLatePartialsAfter() throws {
        let sessions = Self.sessions(seed: 6)
        var random = SeededRandom(seed: 66)
        var streams = Self.stageOne(sessions, duplicates: 0, random: &random)
        let silent = streams[5]
        streams[5] = []
        let truth = Self.truth(sessions.filter { $0.partition != 5 })
        let timeout: Int64 = 30_000
        var records: [String: WindowStatsRecord] = [:]
        var late = 0
        for k in 0 ..< Self.partialsPartitions {
            var configuration = Self.configuration
            configuration.mergeTimeoutMs = timeout
            var merger = WindowMerger(configuration: configuration)
            var now: Int64 = 0
            var outputs: [WindowMergeOutput] = []
            for (index, value) in Self.interleave(streams, partialsPartition: k, random: &random).enumerated() {
                now += 250
                outputs += value.withUnsafeBytes { merger.add(value: $0, offset: Int64(index), nowMs: now) }
                #expect((merger.minimumNeededOffset ?? 0) <= merger.nextOffset!)
            }
            outputs += merger.tick(nowMs: now + timeout)
            #expect(merger.openWindowCount == 0 && merger.metrics.completeWindows == 0)
            // Partition 5 returns with everything it had.
            var offset = merger.nextOffset!
            for entry in silent where entry.windowStart.map({
                WindowRouting.partialsPartition(windowStart: $0, partialsPartitionCount: Self.partialsPartitions) == k
            }) ?? entry.markerPartitions.contains(k) {
                outputs += entry.value.withUnsafeBytes { merger.add(value: $0, offset: offset, nowMs: now + timeout) }
                offset += 1
            }
            for output in outputs {
                switch output {
                case let .stats(record, _, _): #expect(records.updateValue(record, forKey: record.statsId) == nil)
                case .alert: break
                case .latePartial: late += 1
                }
            }
            #expect(merger.metrics.latePartials == outputs.filter { if case .latePartial = $0 { true } else { false } }.count)
        }
        #expect(late == silent.filter { $0.windowStart != nil }.count && late > 0)
        #expect(Set(records.keys) == Set(truth.keys))
        for (id, expected) in truth {
            let record = try #require(records[id])
            #expect(record.sessions == expected.sessions && record.submissions == expected.submissions)
            #expect(record.inputPartitions == 8 && record.completePartitions == 7)
        }
    }

    /// Random partials, markers, duplicates and ticks with random partition counts: no trap, at
    /// most one record per (tenant, window), the needed offset never beyond what was read.
    @Test func randomInputsKeepTheInvariants() {
        var random = SeededRandom(seed: 77)
        for round in 0 ..< 40 {
            var merger = WindowMerger(configuration: WindowMergerConfiguration(
                mergeTimeoutMs: Int64.random(in: 0 ... 5_000, using: &random), maximumOpenWindows: Int.random(in: 1 ... 6, using: &random)))
            var seen: Set<String> = []
            var now: Int64 = 0
            var sent: [WindowPartial] = []
            var partialsFed = 0
            for offset in 0 ..< 300 as Range<Int64> {
                now += Int64.random(in: 0 ... 400, using: &random)
                let count = Int32.random(in: 1 ... 5, using: &random)
                let partition = Int32.random(in: 0 ..< count, using: &random)
                var outputs: [WindowMergeOutput]
                switch Int.random(in: 0 ..< 10, using: &random) {
                case 0 ..< 5:
                    let partial = MergeDriver.partial(
                        partition, of: count, tenant: ["a", "b", nil].randomElement(using: &random)!,
                        start: Int64.random(in: 0 ..< 12, using: &random) * 60_000, sessions: Int.random(in: 1 ... 5, using: &random))
                    sent.append(partial)
                    partialsFed += 1
                    outputs = merger.add(partial, offset: offset, nowMs: now)
                case 5:
                    guard let replay = sent.randomElement(using: &random) else { continue }
                    partialsFed += 1
                    outputs = merger.add(replay, offset: offset, nowMs: now)
                case 6 ..< 9:
                    outputs = merger.add(WindowProgress(
                        inputPartition: partition, partitionCount: count, completeThrough: Int64.random(in: 0 ..< 14, using: &random) * 60_000),
                        offset: offset, nowMs: now)
                default:
                    outputs = merger.tick(nowMs: now)
                }
                for output in outputs {
                    if case let .stats(record, _, _) = output {
                        #expect(seen.insert(record.statsId).inserted, "round \(round): \(record.statsId) twice")
                        #expect(record.completePartitions <= record.inputPartitions)
                        merger.acknowledge(windowStart: record.windowStart)
                    }
                }
                if let needed = merger.minimumNeededOffset { #expect(needed <= offset) }
            }
            let metrics = merger.metrics
            // Every partial fed is merged, a duplicate or late: none is dropped silently.
            #expect(metrics.partials + metrics.duplicatePartials + metrics.latePartials == partialsFed && metrics.rejectedMessages == 0)
        }
    }

    /// Different interleavings and duplicates (within the ordering guarantee) give the same bytes.
    @Test func theSamePartialsInAnotherArrivalOrderGiveTheSameBytes() {
        let sessions = Self.sessions(seed: 4)
        var outputs: [[[UInt8]]] = []
        for order in 0 ..< 4 as Range<UInt64> {
            var random = SeededRandom(seed: 100 + order)
            let streams = Self.stageOne(sessions, duplicates: Int(order) * 3, random: &random)
            var bytes: [[UInt8]] = []
            for k in 0 ..< Self.partialsPartitions {
                var merger = WindowMerger(configuration: Self.configuration)
                for output in Self.merge(Self.interleave(streams, partialsPartition: k, random: &random), into: &merger) {
                    switch output {
                    case let .stats(_, key, value), let .alert(_, key, value): bytes.append(key + [0] + value)
                    case .latePartial: Issue.record("late")
                    }
                }
            }
            outputs.append(bytes)
        }
        #expect(outputs[0].count >= 16)
        for other in outputs.dropFirst() { #expect(other == outputs[0]) }
    }

    /// A merger crashes after any number of values; a fresh one restores the checkpoint and
    /// replays from its offset: every record is published, a record published twice is
    /// byte-identical, and no acknowledged record is published again.
    @Test func aRestartFromTheCheckpointRepublishesOnlyIdenticalRecords() {
        let sessions = Self.sessions(seed: 5)
        var random = SeededRandom(seed: 55)
        let streams = Self.stageOne(sessions, duplicates: 4, random: &random)
        for k in 0 ..< Self.partialsPartitions {
            let values = Self.interleave(streams, partialsPartition: k, random: &random)
            var reference = WindowMerger(configuration: Self.configuration)
            var expected: [String: [UInt8]] = [:]
            for output in Self.merge(values, into: &reference) {
                if case let .stats(record, _, value) = output { expected[record.statsId] = value }
            }
            for crash in stride(from: 0, through: values.count, by: max(1, values.count / 12)) {
                var first = WindowMerger(configuration: Self.configuration)
                var published: [String: [UInt8]] = [:]
                var acknowledged: Set<String> = []
                var pending: [WindowStatsRecord] = []
                var pendingAlerts: [Int64] = []
                for index in 0 ..< crash {
                    for output in values[index].withUnsafeBytes({ first.add(value: $0, offset: Int64(index), nowMs: 0) }) {
                        switch output {
                        case let .stats(record, _, value):
                            published[record.statsId] = value
                            pending.append(record)
                        case let .alert(alert, _, _): pendingAlerts.append(alert.windowStart)
                        case .latePartial: Issue.record("late")
                        }
                    }
                    if Int.random(in: 0 ..< 3, using: &random) > 0 {  // delivery reports arrive
                        for record in pending {
                            first.acknowledge(windowStart: record.windowStart)
                            acknowledged.insert(record.statsId)
                        }
                        for start in pendingAlerts { first.acknowledge(windowStart: start) }
                        pending.removeAll()
                        pendingAlerts.removeAll()
                    }
                }
                guard let checkpoint = first.checkpoint else {
                    #expect(crash == 0)
                    continue
                }
                // Committed as offset + metadata, read back by the next owner.
                let restored = WindowMergerCheckpoint(offset: checkpoint.offset, metadata: checkpoint.metadata)
                #expect(restored == checkpoint)
                var second = WindowMerger(configuration: Self.configuration)
                second.restore(checkpoint)
                for index in Int(checkpoint.offset) ..< values.count {
                    for output in values[index].withUnsafeBytes({ second.add(value: $0, offset: Int64(index), nowMs: 0) }) {
                        switch output {
                        case let .stats(record, _, value):
                            #expect(!acknowledged.contains(record.statsId), "acknowledged \(record.statsId) published again (crash \(crash))")
                            if let before = published[record.statsId] { #expect(before == value, "\(record.statsId) differs after restart") }
                            published[record.statsId] = value
                        case .alert: break
                        case .latePartial:
                            // Only a stage-1 replay of a partial merged before the checkpoint, which the
                            // restarted merger cannot tell from a late one: counted, not merged.
                            #expect(values[..<index].contains(values[index]), "late after restart at \(crash)")
                        }
                    }
                }
                #expect(second.openWindowCount == 0)
                #expect(published == expected, "crash after \(crash) values")
            }
        }
    }
}

private extension Double {
    /// `2^self`, rounded to a whole number.
    var exp2Rounded: Double {
        var result = 1.0
        var exponent = self
        while exponent >= 1 {
            result *= 2
            exponent -= 1
        }
        return (result * (1 + exponent)).rounded()
    }
}
