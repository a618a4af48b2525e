import Foundation
import Testing

extension Reliability {
    /// Regression test for a crash the rebalance churn found: an instance stopped with SIGTERM
    /// after joining the group but before its first assignment aborted in librdkafka 2.0.2
    /// (`rd_kafka_sticky_assignor_state_destroy: Assertion 'assignor_state' failed`,
    /// librdkafka#4312) instead of exiting 0. The broker refuses every SyncGroup, so the
    /// processor gets its JoinGroup response and never an assignment.
    @Suite struct StopDuringFirstRebalance {
        @Test func sigtermBeforeTheFirstAssignmentExitsZero() async throws {
            let pipeline = try await Pipeline.start()
            defer { pipeline.stop() }
            #expect(try await pipeline.control("errors SyncGroup 100000 REBALANCE_IN_PROGRESS") == "ok")
            let (processor, _) = try await pipeline.startProcessor(["-X", "debug=cgrp", "--log-level", "debug"])
            defer { processor.kill() }
            try await processor.wait(for: "a JoinGroup response", timeout: .seconds(30)) {
                $0.stderr.contains("JoinGroup response") || $0.exit != nil
            }
            #expect(!processor.stderr.contains("partition assigned"))
            processor.send(SIGTERM)
            let exit = try await processor.waitForExit(timeout: .seconds(45))
            #expect(exit.status == 0 && exit.reason == .exit, "exit \(exit): \(processor.stderr.suffix(1500))")
            #expect(!processor.stderr.contains("Assertion"))
        }
    }
}
