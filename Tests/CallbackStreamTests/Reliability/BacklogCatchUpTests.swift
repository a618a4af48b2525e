import CallbackTraffic
import Foundation
import Testing

extension Reliability {
    /// A processor that starts after a long downtime catches up a backlog spread over many
    /// partitions. It reads them in turns (a batch of one partition's records after another), so
    /// a partition can wait seconds for its next batch while its records are already there: the
    /// output must still be exactly the truth — event time, not processing speed, decides when a
    /// session ends.
    @Suite struct BacklogCatchUp {
        @Test func aBacklogOverManyPartitionsIsSummarizedExactly() async throws {
            let scale = ReliabilityScale.current
            let interactions = scale.pick(ci: 8_000, full: 40_000)
            let partitions = scale.pick(ci: 16, full: 32)

            try await ReliabilityRow.record(id: "0-backlog-catch-up", scenario: "Backlog catch-up") { row in
                var expect = Expectations()
                let pipeline = try await Pipeline.start(partitions: partitions)
                defer { pipeline.stop() }
                let summaries = try SummaryWatch(pipeline)
                defer { summaries.stop() }
                let deadLetters = try TopicTail(bootstrap: pipeline.bootstrap, topic: "callback.lifecycle.dlq") { _ in }
                defer { deadLetters.stop() }

                // The whole traffic first, while no processor runs.
                let truth = try await pipeline.startGenerator(
                    ProcessorRecoveryTests.generatorArguments(interactions: interactions, rate: 0, seed: 20)
                ).finish(timeout: .seconds(300))
                let (processor, _) = try await pipeline.startProcessor()
                defer {
                    ReliabilityRow.saveLogs(id: "0-backlog-catch-up", [("processor", processor)])
                    processor.kill()
                }
                let sessions = truth.expectedSessions ?? []
                _ = try await summaries.verdict(for: sessions, timeout: .seconds(180))
                try await summaries.tail.catchUp(pipeline, partitions: partitions)
                let verdict = TruthVerdict(census: summaries.snapshot, sessions: sessions)
                if !verdict.exact {
                    ReliabilityRow.saveText(id: "0-backlog-catch-up", name: "post-mortem.txt", verdict.postMortem(summaries.snapshot))
                }

                row.load = "\(grouped(truth.records)) events (\(grouped(truth.interactions)) interactions, "
                    + "\(grouped(verdict.expected)) expected summaries) waiting in \(partitions) partitions when the processor starts"
                row.faults = "downtime: the processor starts after all traffic was produced"
                row.lost = verdict.lost.count
                row.invented = verdict.invented.count + verdict.mismatched.count
                row.duplicates = verdict.duplicates
                row.nonIdenticalDuplicates = verdict.nonIdenticalDuplicates.count
                row.notes = "fast settings: 3 s inactivity timeout, 1 s idle grace"

                CrashRestartChaos.expectExact(verdict, &expect)
                expect.check(verdict.duplicates == 0, "one run, so no duplicates (\(verdict.duplicates))")
                try await deadLetters.catchUp(pipeline, partitions: partitions)
                expect.check(deadLetters.count == 0, "valid traffic produces no dead letters (got \(deadLetters.count))")
                let truncated = try await pipeline.truncatedPartitions("callback.lifecycle", partitions: partitions)
                expect.check(truncated.isEmpty, "no input record was deleted by retention (partitions \(truncated))")
                expect.check(summaries.tail.holes.isEmpty, "every summary was read (no retention holes: \(summaries.tail.holes))")
                return expect.failures
            }
        }
    }
}
