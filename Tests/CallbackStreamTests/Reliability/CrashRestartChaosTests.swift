import TestSupport
import CallbackTraffic
import Foundation
import Testing

extension Reliability {
    /// Scenario 1: the processor is killed with SIGKILL at seeded random moments while traffic
    /// flows and restarted each time; the summaries must equal the truth exactly.
    @Suite struct CrashRestartChaos {
        @Test func sigkillAtRandomMomentsLosesAndInventsNothing() async throws {
            let scale = ReliabilityScale.current
            let interactions = scale.pick(ci: 4_000, full: 40_000)  // ≈ 5 events each: 20 k / 200 k events
            let kills = scale.pick(ci: 4, full: 20)
            let partitions = scale.pick(ci: 8, full: 32)  // ≤ ~3 MiB per partition: below the mock's 5 MiB
            let rate = scale.pick(ci: 600, full: 1_000)
            let delays = scale.pick(ci: 2_000...11_000, full: 2_000...14_000)
            let seed = ReliabilityScale.seed

            try await ReliabilityRow.record(id: "1-crash-restart", scenario: "Crash-restart chaos") { row in
                var expect = Expectations()
                let pipeline = try await Pipeline.start(partitions: partitions)
                defer { pipeline.stop() }
                let summaries = try SummaryWatch(pipeline)
                defer { summaries.stop() }
                // Valid traffic only: nothing may be dead-lettered (a late or split event would be).
                let deadLetters = try TopicTail(bootstrap: pipeline.bootstrap, topic: "callback.lifecycle.dlq") { _ in }
                defer { deadLetters.stop() }
                var processes: [ChildProcess] = []
                defer {
                    ReliabilityRow.saveLogs(id: "1-crash-restart", processes.map { ("processor", $0) })
                    processes.forEach { $0.kill() }
                }

                var (processor, _) = try await pipeline.startProcessor()
                processes.append(processor)
                let generator = try pipeline.startGenerator(
                    ProcessorRecoveryTests.generatorArguments(interactions: interactions, rate: rate, seed: 21))
                var random = SeededRandom(seed: seed &+ 1)
                var moments: [String] = []
                var phases: [String: Int] = [:]
                let clock = ContinuousClock()
                let started = clock.now
                for kill in 1...kills {
                    let delay = random.milliseconds(delays)
                    try await holdFault(for: delay)  // the processor runs this long before it dies
                    let phase = Self.phase(of: processor)
                    let trafficRunning = generator.process.exit == nil
                    processor.send(SIGKILL)
                    let exit = try await processor.waitForExit()
                    expect.check(exit.reason == .uncaughtSignal, "kill #\(kill) ended the processor by signal")
                    phases[phase, default: 0] += 1
                    let at = (clock.now - started).components.seconds
                    moments.append("#\(kill) +\(at)s (\(phase)\(trafficRunning ? "" : ", traffic done"))")
                    print("reliability: crash-restart: SIGKILL #\(kill) at +\(at) s after \(delay) of life, while \(phase)")
                    (processor, _) = try await pipeline.startProcessor()
                    processes.append(processor)
                }

                let truth = try await generator.finish(timeout: .seconds(600))
                let sessions = truth.expectedSessions ?? []
                let verdict = try await summaries.verdict(for: sessions, timeout: .seconds(180))
                try await summaries.tail.catchUp(pipeline, partitions: partitions)
                let final = summaries.snapshot
                let verdictAfterCatchUp = TruthVerdict(census: final, sessions: sessions)
                if !verdictAfterCatchUp.exact {
                    ReliabilityRow.saveText(id: "1-crash-restart", name: "post-mortem.txt", verdictAfterCatchUp.postMortem(summaries.snapshot))
                }

                row.load = "\(grouped(truth.records)) events (\(grouped(truth.interactions)) interactions, "
                    + "\(grouped(verdict.expected)) expected summaries), \(partitions) partitions, \(rate) events/s"
                row.faults = "\(kills) × SIGKILL at seeded random moments (\(phases.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))), restart after each"
                row.lost = verdictAfterCatchUp.lost.count
                row.invented = verdictAfterCatchUp.invented.count + verdictAfterCatchUp.mismatched.count
                row.duplicates = verdictAfterCatchUp.duplicates
                row.nonIdenticalDuplicates = verdictAfterCatchUp.nonIdenticalDuplicates.count
                row.notes = "kill moments: " + moments.joined(separator: "; ")

                Self.expectExact(verdictAfterCatchUp, &expect)
                expect.check(truth.records >= scale.pick(ci: 15_000, full: 190_000), "the traffic has the intended size (\(truth.records) events)")
                expect.check(moments.count == kills, "\(kills) kills happened")
                let truncated = try await pipeline.truncatedPartitions("callback.lifecycle", partitions: partitions)
                expect.check(truncated.isEmpty, "no input record was deleted by retention (partitions \(truncated))")
                try await deadLetters.catchUp(pipeline, partitions: partitions)
                expect.check(deadLetters.count == 0, "valid traffic produces no dead letters (got \(deadLetters.count))")
                expect.check(summaries.tail.holes.isEmpty, "every summary was read (no retention holes: \(summaries.tail.holes))")

                // After all this, a graceful stop still works.
                processor.send(SIGTERM)
                let exit = try await processor.waitForExit(timeout: .seconds(45))
                expect.check(exit.status == 0 && exit.reason == .exit, "the last processor stops on SIGTERM with status 0")
                return expect.failures
            }
        }

        /// What the processor was doing, from its log: joining (nothing assigned yet),
        /// replaying (rebuilding state after a restart) or processing.
        static func phase(of processor: ChildProcess) -> String {
            let log = processor.stderr
            guard log.contains("partition assigned") else { return "joining" }
            let lines = log.split(separator: "\n")
            let assignedWithReplay = lines.count { $0.contains("partition assigned") && !$0.contains("replay.through=-") }
            let finished = lines.count { $0.contains("replay finished") }
            return finished < assignedWithReplay ? "replaying" : "processing"
        }

        /// Records every exact expectation of a verdict.
        static func expectExact(_ verdict: TruthVerdict, _ expect: inout Expectations) {
            expect.check(verdict.expected > 0, "the truth expects summaries")
            expect.check(verdict.lost.isEmpty, "0 lost (missing \(verdict.lost.count): \(verdict.lost.prefix(5)))")
            expect.check(verdict.invented.isEmpty, "0 invented (unexpected \(verdict.invented.count): \(verdict.invented.prefix(5)))")
            expect.check(verdict.mismatched.isEmpty, "every summary equals the truth (\(verdict.mismatched.count) differ: \(verdict.mismatched.prefix(5)))")
            expect.check(verdict.nonIdenticalDuplicates.isEmpty, "every duplicate is byte-identical (\(verdict.nonIdenticalDuplicates.prefix(5)))")
            expect.check(verdict.withoutHeader == 0, "every summary carries its summaryId header")
        }
    }
}
