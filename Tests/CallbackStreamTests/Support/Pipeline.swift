import CallbackTraffic
import Foundation
import Testing

/// A running embedded broker plus helpers to run `callback-stream` processes against it and read
/// topics back with kcat (an independent client).
final class Pipeline: Sendable {
    let broker: ChildProcess
    let bootstrap: String
    static var binary: URL { productsDirectory().appendingPathComponent("callback-stream") }

    private init(broker: ChildProcess, bootstrap: String) {
        self.broker = broker
        self.bootstrap = bootstrap
    }

    static func start(partitions: Int = 4) async throws -> Pipeline {
        try await start(brokerArguments: ["--partitions", "\(partitions)"])
    }

    /// Starts `callback-stream broker` with `brokerArguments` (e.g. `--brokers 3 --partitions 12`).
    static func start(brokerArguments: [String]) async throws -> Pipeline {
        let (broker, bootstrap) = try await BrokerCommandTests.startBroker(brokerArguments)
        return Pipeline(broker: broker, bootstrap: bootstrap)
    }

    /// Settings that make sessions end quickly so tests run in seconds.
    static let fastSettings = [
        "--inactivity-timeout", "3s", "--allowed-lateness", "1s", "--idle-advance-after", "1s",
        "--commit-interval", "200ms", "--window", "10s", "--metrics-address", "127.0.0.1", "--metrics-port", "0",
        // A crashed member is noticed after 6 s instead of librdkafka's 45 s default.
        "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
    ]

    /// Starts `callback-stream run` and waits until its HTTP server listens; returns it and the port.
    ///
    /// - Parameter streamThreads: `--stream-threads`, unless the arguments already name it; `nil`
    ///   leaves the default (`auto`). One by default, so that a process is one group member: the
    ///   embedded broker (librdkafka 2.0.2's mock) refuses a follower's SyncGroup that arrives
    ///   after the leader's with INVALID_REQUEST (`rd_kafka_mock_cgrp_check_state` in state Up), so
    ///   two members joining at once sometimes force a second rebalance in which the leader's
    ///   commits fail with ILLEGAL_GENERATION and its partitions are lost and replayed
    ///   (duplicates, a 5 s stall). A real broker makes followers wait for the leader's sync.
    ///   Tests of several stream threads (`ProcessorRecoveryTests`) and of the default
    ///   (`ProcessorEndToEndTests`) ask for them.
    func startProcessor(
        _ extra: [String] = [], settings: [String] = Pipeline.fastSettings, streamThreads: String? = "1"
    ) async throws -> (ChildProcess, Int) {
        // RELIABILITY_PROCESSOR_ARGS: extra arguments for diagnosis, e.g. "-X debug=cgrp --log-level debug".
        let diagnosis = ProcessInfo.processInfo.environment["RELIABILITY_PROCESSOR_ARGS"]?.split(separator: " ").map(String.init) ?? []
        var arguments = settings + extra + diagnosis
        if let streamThreads, !arguments.contains("--stream-threads") { arguments += ["--stream-threads", streamThreads] }
        let process = try ChildProcess(Self.binary, ["run", "--bootstrap-servers", bootstrap] + arguments)
        try await process.wait(for: "the HTTP server") { $0.stderr.contains("http.port=") || $0.exit != nil }
        guard let range = process.stderr.range(of: #"http\.port=\d+"#, options: .regularExpression) else {
            throw ChildProcess.DeadlineExceeded(description: "processor did not start: \(process.stderr)")
        }
        let port = Int(process.stderr[range].dropFirst("http.port=".count))!
        return (process, port)
    }

    /// Runs `callback-stream generate` to completion and returns the decoded ground truth.
    func generate(_ arguments: [String]) async throws -> GroundTruth {
        let truthFile = FileManager.default.temporaryDirectory.appendingPathComponent("truth-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: truthFile) }
        let process = try ChildProcess(Self.binary, ["generate", "--bootstrap-servers", bootstrap, "--truth", truthFile.path, "--truth-sessions"] + arguments)
        process.closeInput()
        let exit = try await process.waitForExit(timeout: .seconds(120))
        #expect(exit.status == 0, "generate failed: \(process.stderr)")
        return try GroundTruth.decode(from: Data(contentsOf: truthFile))
    }

    /// Produces `key:value` lines with kcat.
    func produce(_ records: [(key: String, value: String)], topic: String = "callback.lifecycle") async throws {
        let input = records.map { "\($0.key)\t\($0.value)" }.joined(separator: "\n") + "\n"
        _ = try await BrokerCommandTests.kcat(["-b", bootstrap, "-P", "-t", topic, "-K\u{09}"], input: input)
    }

    /// Reads a whole topic with kcat: one element per record.
    func read(_ topic: String) async throws -> [ConsumedRecord] {
        let output = try await BrokerCommandTests.kcat(
            ["-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\u{1F}%h\u{1F}%s\u{1E}"])
        return output.split(separator: "\u{1E}", omittingEmptySubsequences: true).compactMap { chunk in
            let fields = chunk.split(separator: "\u{1F}", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { return nil }
            return ConsumedRecord(key: fields[0], headersText: fields[1], value: fields[2])
        }
    }

    /// Polls `topic` until `condition` holds on its records.
    func waitFor(
        _ topic: String, _ what: String, timeout: Duration = .seconds(60), _ condition: ([ConsumedRecord]) -> Bool
    ) async throws -> [ConsumedRecord] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let records = try await read(topic)
            if condition(records) { return records }
            guard clock.now < deadline else {
                throw ChildProcess.DeadlineExceeded(description: "timed out waiting for \(what) on \(topic); have \(records.count) records")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    func stop() {
        broker.kill()
    }
}

/// One record read back by kcat.
struct ConsumedRecord: Sendable {
    var key: String
    /// kcat's `%h`: `name=value,name=value`.
    var headersText: String
    var value: String

    var headers: [String: String] {
        var result: [String: String] = [:]
        for pair in headersText.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    /// The value parsed as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(value.utf8))) as? [String: Any] ?? [:]
    }
}

/// Fetches an HTTP path from a local processor. A request that gets no answer at all (python's
/// urllib gave up: seen about once in 400 reads on a loaded 2-core machine) is tried again, twice;
/// an HTTP status, whatever it is, is returned as it is.
func httpGet(port: Int, _ path: String) async throws -> (status: Int, body: String) {
    var failures: [String] = []
    for _ in 0..<3 {
        let process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", """
            import sys, urllib.request, urllib.error
            try:
                r = urllib.request.urlopen('http://127.0.0.1:\(port)\(path)', timeout=10)
                sys.stdout.write(str(r.status) + '\\n' + r.read().decode())
            except urllib.error.HTTPError as e:
                sys.stdout.write(str(e.code) + '\\n' + e.read().decode())
            """])
        process.closeInput()
        try await process.waitForExit()
        let output = process.stdout
        guard !output.isEmpty else {
            failures.append(String(process.stderr.suffix(300)))
            continue
        }
        let newline = output.firstIndex(of: "\n") ?? output.endIndex
        return (Int(output[..<newline]) ?? 0, newline < output.endIndex ? String(output[output.index(after: newline)...]) : "")
    }
    throw ChildProcess.DeadlineExceeded(description: "GET \(path) on port \(port) got no answer 3 times: \(failures)")
}
