import CallbackTraffic
import Foundation
import Testing

extension Reliability {
    /// Scenario 3: broker faults through the broker's stdin control protocol while traffic flows
    /// (a broker down for 5 s of a 3-broker cluster, retriable errors on Produce, OffsetCommit and
    /// Fetch, slow responses), then a non-retriable Produce error that must stop the processor
    /// loudly; a restart completes the output. The summaries must equal the truth exactly.
    @Suite struct BrokerFaults {
        @Test func retriableFaultsLoseNothingAndAPermanentOneStopsLoudly() async throws {
            let scale = ReliabilityScale.current
            let interactions = scale.pick(ci: 4_000, full: 20_000)
            let afterStop = scale.pick(ci: 1_000, full: 4_000)
            let rate = scale.pick(ci: 500, full: 800)
            // 24 at full size: the mock keeps ~5 MiB per partition, and 12 partitions of the full
            // load (with the phase-2 traffic) exceed it, so retention deletes input the audit needs.
            let partitions = scale.pick(ci: 12, full: 24)
            // The production idle grace (10 s) instead of the fast settings' 1 s: a partition whose
            // leader is down receives nothing, and by contract its watermark then follows the wall
            // clock after the grace — with a 1 s grace and a 3 s timeout, a 5 s outage closes sessions
            // early (RELIABILITY.md, "Findings"). The outage must stay below grace + timeout.
            var settings = Pipeline.fastSettings
            settings[settings.firstIndex(of: "--idle-advance-after")! + 1] = "10s"
            // One window for the whole run: no stats record is due, so the first output the
            // doomed processor produces (and the one the permanent error hits) is a summary.
            settings[settings.firstIndex(of: "--window")! + 1] = "1h"
            // One Produce request in flight per connection, as the generator does (RELIABILITY.md,
            // finding 5): librdkafka's mock cluster does not check an idempotent producer's sequence
            // numbers, so with pipelined requests a request failed by the injected NOT_ENOUGH_REPLICAS
            // followed by a successful one for the same partition makes librdkafka acknowledge the
            // failed request's records without sending them again. A real broker refuses the later
            // request (OUT_OF_ORDER_SEQUENCE_NUMBER) and librdkafka resends both, so production keeps
            // librdkafka's pipelining; here the processor's summaries would be lost by the mock.
            settings += ["-X", "max.in.flight.requests.per.connection=1"]

            try await ReliabilityRow.record(id: "3-broker-faults", scenario: "Broker faults") { row in
                var expect = Expectations()
                let pipeline = try await Pipeline.start(brokerArguments: ["--brokers", "3", "--partitions", "\(partitions)"])
                defer { pipeline.stop() }
                let summaries = try SummaryWatch(pipeline)
                defer { summaries.stop() }
                // Valid traffic only: nothing may be dead-lettered (a late or split event would be).
                let deadLetters = try TopicTail(bootstrap: pipeline.bootstrap, topic: "callback.lifecycle.dlq") { _ in }
                defer { deadLetters.stop() }
                var processes: [(name: String, process: ChildProcess)] = []
                defer {
                    ReliabilityRow.saveLogs(id: "3-broker-faults", processes)
                    processes.forEach { $0.process.kill() }
                }
                var faults: [String] = []
                func inject(_ command: String) async throws {
                    let answer = try await pipeline.control(command)
                    expect.check(answer == "ok", "the broker accepted '\(command)' (answered '\(answer)')")
                    faults.append(command)
                }
                /// Waits until `more` new summaries appeared: the pipeline moved on after a fault.
                func progress(_ more: Int = 40) async throws {
                    try await summaries.wait(forAtLeast: summaries.distinct + more, timeout: .seconds(90))
                }

                // Phase 1: retriable faults while traffic flows.
                let (first, _) = try await pipeline.startProcessor(settings: settings)
                processes.append(("processor", first))
                // `debug=eos`: the idempotent producer's decisions (drains, epoch bumps, implicit
                // acknowledgements) end up in the generator's saved log.
                let generator = try pipeline.startGenerator(
                    ProcessorRecoveryTests.generatorArguments(interactions: interactions, rate: rate, seed: 23) + ["-X", "debug=eos"])
                processes.append(("generator", generator.process))
                try await progress()

                try await inject("broker-down 2")
                try await holdFault(for: .seconds(5))  // the outage
                try await inject("broker-up 2")
                try await progress()

                try await inject("errors Produce 10 NOT_ENOUGH_REPLICAS")
                try await progress()
                try await inject("errors OffsetCommit 5 REQUEST_TIMED_OUT")
                try await progress()
                try await inject("errors Fetch 10 NOT_LEADER_FOR_PARTITION")
                try await progress()
                for broker in 1...3 { try await inject("rtt \(broker) 300") }
                try await holdFault(for: .seconds(5))  // slow responses for a while
                for broker in 1...3 { try await inject("rtt \(broker) 0") }
                let phase1 = try await generator.finish(timeout: .seconds(600))
                let phase1Verdict = try await summaries.verdict(for: phase1.expectedSessions ?? [], timeout: .seconds(120))
                expect.check(phase1Verdict.exact, "after the retriable faults the output is exact (lost \(phase1Verdict.lost.count), invented \(phase1Verdict.invented.count), differing \(phase1Verdict.mismatched.count))")
                expect.check(first.exit == nil, "retriable faults never stop the processor")
                first.send(SIGTERM)
                let firstExit = try await first.waitForExit(timeout: .seconds(45))
                expect.check(firstExit.status == 0, "the processor stops on SIGTERM with status 0 after the retriable faults")

                // Phase 2: more traffic while no processor runs, then a permanent Produce error
                // that the next processor's first Produce request meets.
                var arguments = ProcessorRecoveryTests.generatorArguments(interactions: afterStop, rate: 0, seed: 33)
                // Two minutes of event time after phase 1: ahead of its watermark (which idled
                // forward for a few seconds only), inside the same 1 h window.
                arguments += ["--start-time", "\((phase1.lastEventTimestampMs ?? 0) + 120_000)"]
                let phase2Generator = try pipeline.startGenerator(arguments)
                processes.append(("generator", phase2Generator.process))
                let phase2 = try await phase2Generator.finish(timeout: .seconds(300))
                try await inject("errors Produce 1 TOPIC_AUTHORIZATION_FAILED")
                let (doomed, _) = try await pipeline.startProcessor(settings: settings)
                processes.append(("processor", doomed))
                let doomedExit = try await doomed.waitForExit(timeout: .seconds(90))
                expect.check(doomedExit.status != 0 && doomedExit.reason == .exit,
                             "a permanent delivery failure ends the processor with a non-zero status (got \(doomedExit.status), \(doomedExit.reason))")
                // Either the failed batch's delivery report comes first ("delivery to … failed
                // permanently") or the next produce call is refused at once because librdkafka
                // marked the topic as failed ("cannot produce to …"); both stop the processor.
                let failureLine = doomed.stderr.split(separator: "\n").first {
                    $0.contains("processor failing") && ($0.contains("failed permanently") || $0.contains("cannot produce to"))
                }
                expect.check(failureLine?.contains("TOPIC_AUTHORIZATION_FAILED") == true && failureLine?.contains("callback.summaries") == true,
                             "the processor says clearly why it stopped: \(failureLine ?? "no 'failed permanently' or 'cannot produce to' line")")
                print("reliability: broker faults: the processor stopped with: \(failureLine ?? "-")")

                let (restarted, _) = try await pipeline.startProcessor(settings: settings)
                processes.append(("processor", restarted))
                let sessions = (phase1.expectedSessions ?? []) + (phase2.expectedSessions ?? [])
                _ = try await summaries.verdict(for: sessions, timeout: .seconds(120))
                try await summaries.tail.catchUp(pipeline, partitions: partitions)
                let census = summaries.snapshot
                let verdict = TruthVerdict(census: census, sessions: sessions)
                // The input topic read back in full: a wrong summary is the producer's fault if one
                // of its events is not there, the processor's if it is.
                let input = try await InputTopicAudit.read(pipeline, topic: "callback.lifecycle", partitions: partitions)
                let generatedEvents = phase1.uniqueEvents + phase2.uniqueEvents
                let inputTotals = input.totals(produced: phase1.records + phase2.records, uniqueEvents: generatedEvents)
                print("reliability: broker faults: \(inputTotals)")
                if !verdict.exact || input.distinctEvents != generatedEvents {
                    let odd = verdict.lost + verdict.invented + verdict.mismatched.map { String($0.prefix { $0 != " " }.dropLast()) }
                    ReliabilityRow.saveText(id: "3-broker-faults", name: "post-mortem.txt", [
                        inputTotals, verdict.postMortem(census),
                        input.postMortem(summaryIds: odd, sessions: sessions, census: census),
                    ].joined(separator: "\n\n") + "\n")
                }

                row.load = "\(grouped(phase1.records + phase2.records)) events (\(grouped(phase1.interactions + phase2.interactions)) interactions, "
                    + "\(grouped(verdict.expected)) expected summaries), 3 brokers, \(partitions) partitions, \(rate) events/s"
                row.faults = faults.joined(separator: "; ")
                row.lost = verdict.lost.count
                row.invented = verdict.invented.count + verdict.mismatched.count
                row.duplicates = verdict.duplicates
                row.nonIdenticalDuplicates = verdict.nonIdenticalDuplicates.count
                let commitFailures = first.stderr.components(separatedBy: "offset commit failed").count - 1
                row.notes = "broker 2 down 5 s, then retriable errors and 300 ms RTT; the permanent error stopped the processor with exit \(doomedExit.status) and '\(failureLine.map { String($0.suffix(160)) } ?? "-")'; the restart completed the output; \(commitFailures) commit failures logged and retried"

                expect.check(input.distinctEvents == generatedEvents && input.unreadable == 0 && input.holes.isEmpty,
                             "every generated event is in the input topic (\(inputTotals))")
                CrashRestartChaos.expectExact(verdict, &expect)
                let truncated = try await pipeline.truncatedPartitions("callback.lifecycle", partitions: partitions)
                expect.check(truncated.isEmpty, "no input record was deleted by retention (partitions \(truncated))")
                try await deadLetters.catchUp(pipeline, partitions: partitions)
                expect.check(deadLetters.count == 0, "valid traffic produces no dead letters (got \(deadLetters.count))")
                expect.check(summaries.tail.holes.isEmpty, "every summary was read (no retention holes: \(summaries.tail.holes))")
                restarted.send(SIGTERM)
                let exit = try await restarted.waitForExit(timeout: .seconds(45))
                expect.check(exit.status == 0, "the restarted processor stops on SIGTERM with status 0")
                return expect.failures
            }
        }
    }
}
