import Foundation
import Testing

/// `callback-stream broker` run as a separate process, driven by `kcat`.
@Suite struct BrokerCommandTests {
    static let kcat = URL(fileURLWithPath: "/usr/bin/kcat")
    static var binary: URL { productsDirectory().appendingPathComponent("callback-stream") }

    /// Starts the broker and returns it with its bootstrap servers (its first stdout line).
    static func startBroker(_ arguments: [String] = []) async throws -> (ChildProcess, String) {
        let broker = try ChildProcess(binary, ["broker"] + arguments)
        try await broker.wait(for: "the bootstrap line") { !$0.stdoutLines.isEmpty || $0.exit != nil }
        let bootstrap = try #require(broker.stdoutLines.first, "broker exited: \(broker.stderr)")
        return (broker, bootstrap)
    }

    /// Runs kcat to completion and returns its stdout.
    static func kcat(_ arguments: [String], input: String? = nil) async throws -> String {
        let process = try ChildProcess(kcat, arguments)
        if let input { process.write(input) }
        process.closeInput()
        let exit = try await process.waitForExit()
        #expect(exit.status == 0, "kcat \(arguments) failed: \(process.stderr)")
        return process.stdout
    }

    @Test func kcatProducesAndConsumesThenSIGTERMExitsZero() async throws {
        let (broker, bootstrap) = try await Self.startBroker(["--brokers", "2", "--partitions", "3", "--topic", "extra:2"])
        defer { broker.kill() }
        #expect(bootstrap.split(separator: ",").count == 2)
        #expect(bootstrap.split(separator: ",").allSatisfy { $0.hasPrefix("127.0.0.1:") })
        #expect(broker.stderr.contains("5 MiB"))

        // The default and extra topics exist with the requested partition counts.
        let metadata = try await Self.kcat(["-b", bootstrap, "-L"])
        for topic in ["callback.lifecycle", "callback.summaries", "callback.lifecycle.dlq", "callback.stats", "callback.alerts", "callback.stats.partials"] {
            #expect(metadata.contains("topic \"\(topic)\" with 3 partitions"), "\(metadata)")
        }
        #expect(metadata.contains("topic \"extra\" with 2 partitions"))

        let records = (0..<20).map { "interaction-\($0 % 5):{\"n\":\($0)}" }
        _ = try await Self.kcat(
            ["-b", bootstrap, "-P", "-t", "callback.lifecycle", "-K:"], input: records.joined(separator: "\n") + "\n")
        let consumed = try await Self.kcat(
            ["-b", bootstrap, "-C", "-t", "callback.lifecycle", "-o", "beginning", "-e", "-q", "-f", "%k:%s\\n"])
        let lines = consumed.split(separator: "\n").map(String.init)
        #expect(lines.sorted() == records.sorted())

        // Control protocol.
        broker.write("rtt 1 5\nbroker-down 7\nerrors Produce 1 NOT_ENOUGH_REPLICAS\n")
        try await broker.wait(for: "three answers") { $0.stdoutLines.count >= 4 }
        #expect(Array(broker.stdoutLines.dropFirst()) == ["ok", "error: _INVALID_ARG: no broker 7: brokers are 1...2", "ok"])

        broker.send(SIGTERM)
        let exit = try await broker.waitForExit()
        #expect(exit.status == 0)
        #expect(exit.reason == .exit)
    }

    @Test func sigintExitsZeroEvenWithStdinClosed() async throws {
        let (broker, _) = try await Self.startBroker()
        defer { broker.kill() }
        broker.closeInput()
        broker.send(SIGINT)
        let exit = try await broker.waitForExit()
        #expect(exit.status == 0)
        #expect(exit.reason == .exit)
    }

    @Test func badArgumentsAreRejected() async throws {
        for arguments in [["--partitions", "0"], ["--topic", "bad:x"], ["--brokers", "0"]] {
            let broker = try ChildProcess(Self.binary, ["broker"] + arguments)
            defer { broker.kill() }
            let exit = try await broker.waitForExit()
            #expect(exit.status != 0, "\(arguments)")
            #expect(broker.stdout.isEmpty)
            #expect(broker.stderr.contains("Error"), "\(broker.stderr)")
        }
    }
}
