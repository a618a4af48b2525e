import CallbackTraffic
import Foundation
import Testing

extension Reliability {
    /// The generator's ground truth is true only if every record it reports delivered is in the
    /// topic. librdkafka's mock cluster does not check a non-transactional idempotent producer's
    /// sequence numbers, so with pipelined Produce requests a retriable error on one request
    /// followed by the success of the next one for the same partition made librdkafka acknowledge
    /// the failed request's records implicitly, without ever sending them again: the generator
    /// exited 0 and the records were missing (the broker-fault scenario's rare missing event,
    /// RELIABILITY.md finding 5). The generator keeps one request in flight per connection.
    @Suite struct GeneratorDelivery {
        @Test func retriableProduceErrorsWhileRequestsArePipelinedLoseNoRecord() async throws {
            let pipeline = try await Pipeline.start(brokerArguments: ["--brokers", "1", "--partitions", "1"])
            defer { pipeline.stop() }
            // Responses 150 ms late and one record every 33 ms: without the fix, batches of fewer than
            // five records (librdkafka's per-partition limit counts records) go out while earlier
            // ones of the same partition are still in flight.
            #expect(try await pipeline.control("rtt 1 150") == "ok")
            let generator = try pipeline.startGenerator(
                ProcessorRecoveryTests.generatorArguments(interactions: 40, rate: 30, seed: 5) + ["-X", "debug=eos"])
            defer { generator.process.kill() }
            let input = try TopicTail(bootstrap: pipeline.bootstrap, topic: "callback.lifecycle") { _ in }
            defer { input.stop() }
            // Once records flow steadily, the next two Produce requests fail (retriable, nothing written).
            try await input.wait(for: "the first records", timeout: .seconds(30)) { input.count >= 40 }
            #expect(try await pipeline.control("errors Produce 2 NOT_ENOUGH_REPLICAS") == "ok")
            let truth = try await generator.finish(timeout: .seconds(60))
            #expect(try await pipeline.control("rtt 1 0") == "ok")

            // The fault really met the generator: librdkafka (debug=eos) drained the partition to retry.
            let retries = generator.process.stderr.components(separatedBy: "drain before retrying").count - 1
            #expect(retries >= 1, "the injected errors failed some of the generator's requests: \(generator.process.stderr.suffix(3000))")
            let audit = try await InputTopicAudit.read(pipeline, topic: "callback.lifecycle", partitions: 1)
            let totals = audit.totals(produced: truth.records, uniqueEvents: truth.uniqueEvents)
            #expect(audit.distinctEvents == truth.uniqueEvents, "every generated event is in the topic: \(totals)")
            // Nothing written twice either: the failed requests had not been written.
            #expect(audit.records.count == truth.records && audit.holes.isEmpty && audit.unreadable == 0, "\(totals)")
            let implicitAcks = generator.process.stderr.split(separator: "\n").filter { $0.contains("implicitly acked") }
            #expect(implicitAcks.isEmpty, "no record was acknowledged without being sent: \(implicitAcks)")
        }
    }
}
