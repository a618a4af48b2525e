import Kafka
import Testing

/// The text control protocol of the mock cluster (stdin of `callback-stream broker`).
@Suite struct MockClusterCommandTests {
    @Test func parsesEveryCommand() throws {
        #expect(try MockClusterCommand(parsing: "broker-down 2") == .brokerDown(2))
        #expect(try MockClusterCommand(parsing: "broker-up 1") == .brokerUp(1))
        #expect(try MockClusterCommand(parsing: "rtt 1 250") == .roundTripTime(broker: 1, milliseconds: 250))
        #expect(
            try MockClusterCommand(parsing: "errors Produce 3 NOT_ENOUGH_REPLICAS")
                == .requestErrors(.produce, count: 3, .notEnoughReplicas))
        #expect(try MockClusterCommand(parsing: "errors offsetcommit clear") == .clearRequestErrors(.offsetCommit))
        #expect(try MockClusterCommand(parsing: "  topic  extra   3 ") == .createTopic("extra", partitions: 3))
        #expect(try MockClusterCommand(parsing: "leader t 0 2") == .partitionLeader(topic: "t", partition: 0, broker: 2))
        #expect(try MockClusterCommand(parsing: "help") == .help)
    }

    @Test(arguments: [
        "", "   ", "launch-missiles", "broker-down", "broker-down x", "broker-down 0", "broker-down 1 2",
        "rtt 1", "rtt 1 -5", "errors", "errors Nope 1 NOT_ENOUGH_REPLICAS", "errors Produce x NOT_ENOUGH_REPLICAS",
        "errors Produce 1 NOT_A_REAL_ERROR", "topic t 0", "topic t", "leader t -1 1", "rtt 99999999999999999999 1",
    ])
    func rejectsBadInputWithAReason(line: String) throws {
        let error = #expect(throws: MockClusterCommand.ParseError.self) {
            _ = try MockClusterCommand(parsing: line)
        }
        #expect(error?.description.isEmpty == false)
    }

    @Test func answersOkOrErrorAgainstACluster() throws {
        let cluster = try MockCluster(brokers: 2, logger: testLogger("mock"))
        #expect(MockClusterCommand.answer("topic control 2", on: cluster) == "ok")
        #expect(MockClusterCommand.answer("topic control 2", on: cluster).hasPrefix("error: TOPIC_ALREADY_EXISTS"))
        #expect(MockClusterCommand.answer("broker-down 2", on: cluster) == "ok")
        #expect(MockClusterCommand.answer("broker-up 2", on: cluster) == "ok")
        #expect(MockClusterCommand.answer("broker-down 3", on: cluster).hasPrefix("error: "))
        #expect(MockClusterCommand.answer("errors Fetch 2 NOT_LEADER_FOR_PARTITION", on: cluster) == "ok")
        #expect(MockClusterCommand.answer("errors Fetch clear", on: cluster) == "ok")
        #expect(MockClusterCommand.answer("nonsense", on: cluster) == "error: unknown command 'nonsense' (try 'help')")
        #expect(MockClusterCommand.answer("help", on: cluster) == MockClusterCommand.usage)
    }
}
