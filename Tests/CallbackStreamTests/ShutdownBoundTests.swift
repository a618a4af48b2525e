import Foundation
import Testing

/// A graceful shutdown that cannot finish is cut short: `run` exits 2 once
/// `--shutdown-timeout` + 5 s have passed, and its last log line names the step each loop was
/// stuck in, for how long.
@Suite struct ShutdownBoundTests {
    @Test func aShutdownStuckOnAnUnansweringBrokerExitsTwoAndSaysWhere() async throws {
        let pipeline = try await Pipeline.start(partitions: 2)
        defer { pipeline.stop() }
        // No periodic commit: the offsets of the interaction below are still to commit at SIGTERM.
        let (processor, _) = try await pipeline.startProcessor(["--shutdown-timeout", "1s", "--commit-interval", "1h"])
        defer { processor.kill() }
        try await processor.wait(for: "the input partitions and the partials' partitions to be assigned") {
            $0.stderr.contains("] partition assigned") && $0.stderr.contains("partials partitions assigned")
        }
        try await pipeline.produce(ProcessorEndToEndTests.scenarioRecords("stuck", ["ready", "opened", "cancelled", "closed"]))
        _ = try await pipeline.waitFor("callback.summaries", "the interaction's summary") { $0.contains { $0.key == "stuck" } }

        // The broker stops answering for a minute: the shutdown's commit waits on it (up to
        // socket.timeout.ms, 60 s). Leaving the group alone would not do: librdkafka gives up
        // on a LeaveGroup after a fixed 5 s, which is within the bound.
        #expect(try await pipeline.control("rtt 1 60000") == "ok")
        let signalled = ContinuousClock.now
        processor.send(SIGTERM)
        let exit = try await processor.waitForExit(timeout: .seconds(40))
        let took = ContinuousClock.now - signalled

        let stderr = processor.stderr
        #expect(exit.status == 2 && exit.reason == .exit, "exit \(exit): \(stderr.suffix(3000))")
        #expect(took >= .seconds(6) && took < .seconds(30), "the bound is --shutdown-timeout + 5 s (took \(took))")
        let last = stderr.split(separator: "\n").last { $0.contains("shutdown did not finish within the bound") }
        let line = try #require(last.map(String.init), "the bound being passed is logged: \(stderr.suffix(3000))")
        // The one stream thread was waiting on the broker for its commit.
        #expect(line.contains("exiting without finishing it; still stopping: "), "\(line)")
        #expect(line.contains("the poll loop: committing offsets for "), "\(line)")
    }
}
