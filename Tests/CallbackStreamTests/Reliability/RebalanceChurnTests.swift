import TestSupport
import CallbackTraffic
import Foundation
import Testing

extension Reliability {
    /// Scenario 2: up to three instances in one group over 12 partitions; instances join, leave
    /// gracefully (SIGTERM) and are killed (SIGKILL) at seeded random moments while traffic
    /// flows. Together they must publish exactly the truth.
    @Suite struct RebalanceChurn {
        enum Action: String, CaseIterable {
            case join, leave, kill
        }

        @Test func instancesJoinLeaveAndDieWhileTrafficFlows() async throws {
            let scale = ReliabilityScale.current
            let interactions = scale.pick(ci: 4_000, full: 16_000)  // ≈ 20 k / 80 k events
            let rate = scale.pick(ci: 600, full: 800)
            let pauses = 2_000...7_000
            let partitions = 12

            try await ReliabilityRow.record(id: "2-rebalance-churn", scenario: "Rebalance churn") { row in
                var expect = Expectations()
                let pipeline = try await Pipeline.start(partitions: partitions)
                defer { pipeline.stop() }
                let summaries = try SummaryWatch(pipeline)
                defer { summaries.stop() }
                // Valid traffic only: nothing may be dead-lettered (a late or split event would be).
                let deadLetters = try TopicTail(bootstrap: pipeline.bootstrap, topic: "callback.lifecycle.dlq") { _ in }
                defer { deadLetters.stop() }
                var all: [ChildProcess] = []
                defer {
                    ReliabilityRow.saveLogs(id: "2-rebalance-churn", all.map { ("processor", $0) })
                    all.forEach { $0.kill() }
                }
                var running: [ChildProcess] = []
                for _ in 0..<3 {
                    let (instance, _) = try await pipeline.startProcessor()
                    all.append(instance)
                    running.append(instance)
                }

                let generator = try pipeline.startGenerator(
                    ProcessorRecoveryTests.generatorArguments(interactions: interactions, rate: rate, seed: 22))
                var random = SeededRandom(seed: ReliabilityScale.seed &+ 2)
                var counts: [Action: Int] = [:]
                var bag: [Action] = []
                var log: [String] = []
                let clock = ContinuousClock()
                let started = clock.now
                while generator.process.exit == nil {
                    try await holdFault(for: random.milliseconds(pauses))  // the group runs this long undisturbed
                    guard generator.process.exit == nil else { break }
                    // Draw from a shuffled bag of all three actions so that each one happens
                    // regularly; take the first the group allows (keep 1…3 instances).
                    if bag.isEmpty { bag = Action.allCases.shuffled(using: &random) }
                    let allowed: (Action) -> Bool = { $0 == .join ? running.count < 3 : running.count > 1 }
                    guard let index = bag.firstIndex(where: allowed) else { bag = []; continue }
                    let action = bag.remove(at: index)
                    let at = (clock.now - started).components.seconds
                    switch action {
                    case .join:
                        let (instance, _) = try await pipeline.startProcessor()
                        all.append(instance)
                        running.append(instance)
                    case .leave:
                        let victim = running.remove(at: Int.random(in: 0..<running.count, using: &random))
                        victim.send(SIGTERM)
                        let exit = try await victim.waitForExit(timeout: .seconds(45))
                        expect.check(exit.status == 0 && exit.reason == .exit,
                                     "an instance leaving on SIGTERM exits 0 (got \(exit.status)): \(victim.stderr.suffix(1500))")
                    case .kill:
                        let victim = running.remove(at: Int.random(in: 0..<running.count, using: &random))
                        victim.send(SIGKILL)
                        _ = try await victim.waitForExit()
                    }
                    counts[action, default: 0] += 1
                    log.append("+\(at)s \(action.rawValue) → \(running.count)")
                    print("reliability: churn: +\(at) s \(action.rawValue); \(running.count) instance(s) running")
                }

                let truth = try await generator.finish(timeout: .seconds(600))
                let sessions = truth.expectedSessions ?? []
                _ = try await summaries.verdict(for: sessions, timeout: .seconds(180))
                try await summaries.tail.catchUp(pipeline, partitions: partitions)
                let verdict = TruthVerdict(census: summaries.snapshot, sessions: sessions)
                if !verdict.exact {
                    ReliabilityRow.saveText(id: "2-rebalance-churn", name: "post-mortem.txt", verdict.postMortem(summaries.snapshot))
                }

                row.load = "\(grouped(truth.records)) events (\(grouped(truth.interactions)) interactions, "
                    + "\(grouped(verdict.expected)) expected summaries), \(partitions) partitions, 3 instances at start, \(rate) events/s"
                row.faults = "\(counts[.join] ?? 0) joins, \(counts[.leave] ?? 0) SIGTERM leaves, \(counts[.kill] ?? 0) SIGKILLs at seeded random moments"
                row.lost = verdict.lost.count
                row.invented = verdict.invented.count + verdict.mismatched.count
                row.duplicates = verdict.duplicates
                row.nonIdenticalDuplicates = verdict.nonIdenticalDuplicates.count
                row.notes = "membership changes: " + log.joined(separator: "; ")
                let duplicated = summaries.snapshot.positions.filter { $0.value.count > 1 }
                print("reliability: churn: duplicates at " + duplicated.prefix(40).map { "\($0.key) \($0.value)" }.joined(separator: "; "))

                CrashRestartChaos.expectExact(verdict, &expect)
                expect.check(log.count >= scale.pick(ci: 3, full: 10), "the group changed often enough (\(log.count) changes)")
                expect.check(Action.allCases.allSatisfy { counts[$0, default: 0] > 0 }, "instances joined, left and were killed (\(counts))")
                let truncated = try await pipeline.truncatedPartitions("callback.lifecycle", partitions: partitions)
                expect.check(truncated.isEmpty, "no input record was deleted by retention (partitions \(truncated))")
                try await deadLetters.catchUp(pipeline, partitions: partitions)
                expect.check(deadLetters.count == 0, "valid traffic produces no dead letters (got \(deadLetters.count))")
                expect.check(summaries.tail.holes.isEmpty, "every summary was read (no retention holes: \(summaries.tail.holes))")

                for instance in running {
                    // One that already ended would otherwise only show up as a wrong exit below.
                    if let ended = instance.exit {
                        expect.check(false, "an instance ended before the final SIGTERM (\(ended.status), \(ended.reason)): \(instance.stderr.suffix(3000))")
                    }
                    instance.send(SIGTERM)
                }
                for instance in running {
                    let exit = try await instance.waitForExit(timeout: .seconds(45))
                    expect.check(exit.status == 0 && exit.reason == .exit,
                                 "the remaining instances stop on SIGTERM with status 0 (got \(exit.status), \(exit.reason)): \(instance.stderr.suffix(3000))")
                }
                return expect.failures
            }
        }
    }
}
