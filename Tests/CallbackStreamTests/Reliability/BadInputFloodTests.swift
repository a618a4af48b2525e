import CallbackTraffic
import Foundation
import Testing

extension Reliability {
    /// Scenario 4: malformed records of every kind interleaved with valid traffic, as fast as the
    /// generator can send. Every bad record must be dead-lettered once with the right code and its
    /// original bytes, every valid session summarized exactly, and the processor must never exit
    /// or stall.
    @Suite struct BadInputFlood {
        @Test func everyBadRecordIsDeadLetteredAndEveryGoodOneSummarized() async throws {
            let scale = ReliabilityScale.current
            let malformed = scale.pick(ci: 9_000, full: 100_000)
            let interactions = scale.pick(ci: 2_000, full: 20_000)
            let partitions = scale.pick(ci: 16, full: 32)
            let seed: UInt64 = 24

            try await ReliabilityRow.record(id: "4-bad-input-flood", scenario: "Bad input flood") { row in
                var expect = Expectations()
                let census = Locked(DeadLetterCensus(seed: seed, count: malformed))
                expect.check(census.withLock { $0.expectedCount } == malformed, "the malformed records are distinct")
                let pipeline = try await Pipeline.start(partitions: partitions)
                defer { pipeline.stop() }
                let summaries = try SummaryWatch(pipeline)
                defer { summaries.stop() }
                let deadLetters = try TopicTail(bootstrap: pipeline.bootstrap, topic: "callback.lifecycle.dlq") { record in
                    census.withLock { $0.add(record) }
                }
                defer { deadLetters.stop() }
                let (processor, port) = try await pipeline.startProcessor()
                defer {
                    ReliabilityRow.saveLogs(id: "4-bad-input-flood", [("processor", processor)])
                    processor.kill()
                }

                var arguments = ProcessorRecoveryTests.generatorArguments(interactions: interactions, rate: 0, seed: Int(seed))
                // lz4 keeps the oversized and deeply nested records small in the broker's memory.
                arguments += ["--malformed", "\(malformed)", "-X", "compression.type=lz4"]
                let generator = try pipeline.startGenerator(arguments)

                // Watch progress until the generator is done and every input record is consumed.
                let clock = ContinuousClock()
                var lastConsumed = -1.0
                var lastProgress = clock.now
                var longestStall = Duration.zero
                var total: Int64?
                let deadline = clock.now + .seconds(scale.pick(ci: 180, full: 900))
                while clock.now < deadline, processor.exit == nil {
                    if total == nil, generator.process.exit != nil {
                        total = try await pipeline.watermarks("callback.lifecycle", partitions: partitions, low: false).values.reduce(0, +)
                    }
                    let metrics = try await MetricsReading.fetch(port: port)
                    let consumed = metrics.sum("callback_stream_records_consumed_total")
                    if consumed > lastConsumed {
                        lastConsumed = consumed
                        lastProgress = clock.now
                    } else if consumed > 0,
                              metrics.sum("callback_stream_consumer_lag") > 0 || (total.map { consumed < Double($0) } ?? false) {
                        // Input is waiting (the consumer knows it lags, or the generator is done
                        // and not everything was read) and nothing moved since the last sample.
                        longestStall = max(longestStall, clock.now - lastProgress)
                    }
                    if let total, consumed >= Double(total) { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                let truth = try await generator.finish(timeout: .seconds(60))
                let sessions = truth.expectedSessions ?? []
                _ = try await summaries.verdict(for: sessions, timeout: .seconds(120))
                try await summaries.tail.catchUp(pipeline, partitions: partitions)
                try await deadLetters.catchUp(pipeline, partitions: partitions, timeout: .seconds(300))
                let verdict = TruthVerdict(census: summaries.snapshot, sessions: sessions)
                let letters = census.withLock { $0 }
                let metrics = try await MetricsReading.fetch(port: port)

                row.load = "\(grouped(malformed)) malformed records (all \(MalformedKind.allCases.count) kinds) interleaved with "
                    + "\(grouped(truth.records)) valid events (\(grouped(verdict.expected)) expected summaries), \(partitions) partitions, unthrottled"
                row.faults = "bad input: " + MalformedKind.allCases.map(\.rawValue).joined(separator: ", ")
                row.lost = verdict.lost.count + letters.missing
                row.invented = verdict.invented.count + verdict.mismatched.count + letters.unexpected
                row.duplicates = verdict.duplicates + letters.duplicates
                row.nonIdenticalDuplicates = verdict.nonIdenticalDuplicates.count
                row.notes = "dead letters by code: " + letters.codes.sorted { $0.key < $1.key }.map { "\($0.key) \(grouped($0.value))" }.joined(separator: ", ")
                    + "; longest pause in consumption while input was pending: \(longestStall.components.seconds) s; consumed \(grouped(Int(lastConsumed))) of \(grouped(Int(total ?? -1))) input records"

                CrashRestartChaos.expectExact(verdict, &expect)
                expect.check(verdict.duplicates == 0, "no crash, so no duplicate summaries (got \(verdict.duplicates))")
                expect.check(total.map { Double($0) == lastConsumed } == true, "every input record was consumed (\(lastConsumed) of \(total ?? -1))")
                expect.check(letters.missing == 0, "every malformed record is dead-lettered (missing by kind: \(letters.missingByKind))")
                expect.check(letters.unexpected == 0, "nothing else is dead-lettered (\(letters.unexpected) unexpected)")
                expect.check(letters.duplicates == 0, "each malformed record is dead-lettered once (\(letters.duplicates) extra)")
                expect.check(letters.wrongCode.isEmpty, "each dead letter has its kind's error code: \(letters.wrongCode)")
                expect.check(letters.badHeaders.isEmpty, "each dead letter carries error.detail and its source: \(letters.badHeaders)")
                expect.check(letters.records == malformed, "the dead-letter topic holds exactly \(malformed) records (has \(letters.records))")
                expect.check(metrics.sum("callback_stream_dead_letters_total") == Double(malformed), "the dead-letter counter says \(malformed)")
                expect.check(longestStall < .seconds(10), "consumption never paused for 10 s while input was pending (longest \(longestStall))")
                expect.check(processor.exit == nil, "the processor never exits on bad input")
                expect.check(try await httpGet(port: port, "/healthz").status == 200, "the processor is healthy after the flood")
                let truncated = try await pipeline.truncatedPartitions("callback.lifecycle", partitions: partitions)
                expect.check(truncated.isEmpty, "no input record was deleted by retention (partitions \(truncated))")
                expect.check(summaries.tail.holes.isEmpty && deadLetters.holes.isEmpty,
                             "every output was read (no retention holes: \(summaries.tail.holes + deadLetters.holes))")
                return expect.failures
            }
        }
    }
}
