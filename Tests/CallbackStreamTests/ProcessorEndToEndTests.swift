import CallbackTraffic
import Foundation
import Testing

/// `callback-stream run` as a separate process against the embedded broker (also a separate
/// process), fed and read back with kcat or `callback-stream generate`.
@Suite(.serialized) struct ProcessorEndToEndTests {
    static let t0: Int64 = 1_767_225_600_000

    static func event(_ id: String, _ name: String, _ ts: Int64, metadata: String = "", extra: String = "") -> (key: String, value: String) {
        let meta = metadata.isEmpty ? "" : ",\"metadata\":{\(metadata)}"
        return (id, "{\"interactionId\":\"\(id)\",\"event\":\"\(name)\",\"timestamp\":\(ts),\"eventId\":\"\(id)-\(name)-\(ts)\"\(meta)\(extra)}")
    }

    @Test func seedScenariosAndDeadLettersEndToEnd() async throws {
        let pipeline = try await Pipeline.start()
        defer { pipeline.stop() }
        let (processor, _) = try await pipeline.startProcessor()
        defer { processor.kill() }

        var records: [(key: String, value: String)] = []
        // The seed's three scenarios.
        for (i, name) in ["ready", "opened", "cancelled", "closed"].enumerated() {
            records.append(Self.event("seed-cancel", name, Self.t0 + Int64(i) * 1_000))
        }
        for (i, name) in ["ready", "opened", "started", "cancelled", "closed"].enumerated() {
            records.append(Self.event("seed-abandon", name, Self.t0 + Int64(i) * 1_000, extra: ",\"attributes\":{\"tenant\":\"acme\"}"))
        }
        let form = "\"form\":{\"firstName\":\"Ada-PII\",\"phoneNumber\":\"+15550100-PII\"}"
        for (i, name) in ["ready", "opened", "started", "submitted", "completed", "closed"].enumerated() {
            let metadata = i >= 3 ? form + ",\"errors\":false,\"started\":\(Self.t0 + 2_000)" : ""
            records.append(Self.event("seed-complete", name, Self.t0 + Int64(i) * 1_000, metadata: metadata))
        }
        // Every dead-letter code the decoder and the session store produce.
        records.append(("bad-1", "{\"interactionId\":\"bad-1\",\"event\":"))
        records.append(("bad-2", "{\"interactionId\":\"bad-2\",\"event\":\"opened\"}"))
        records.append(("bad-3", "{\"interactionId\":\"bad-3\",\"event\":\"opened\",\"timestamp\":\"yesterday\"}"))
        records.append(("bad-4", "{\"interactionId\":\"bad-4\",\"event\":\"exploded\",\"timestamp\":\(Self.t0)}"))
        records.append(("bad-5-key", "{\"interactionId\":\"bad-5\",\"event\":\"opened\",\"timestamp\":\(Self.t0)}"))
        records.append(("bad-6", "{\"interactionId\":\"bad-6\",\"event\":\"opened\",\"timestamp\":\(Self.t0),\"padding\":\"\(String(repeating: "x", count: 70_000))\"}"))
        try await pipeline.produce(records)

        let summaries = try await pipeline.waitFor("callback.summaries", "three summaries") { $0.count >= 3 }
        let byID = Dictionary(uniqueKeysWithValues: summaries.map { ($0.key, $0.json) })
        #expect(summaries.count == 3)
        #expect(byID["seed-cancel"]?["outcome"] as? String == "cancelledBeforeStart")
        #expect(byID["seed-abandon"]?["outcome"] as? String == "abandonedForm")
        #expect(byID["seed-complete"]?["outcome"] as? String == "completed")
        for summary in summaries {
            let json = summary.json
            #expect(json["schemaVersion"] as? Int == 1)
            #expect(json["closeReason"] as? String == "closed")
            #expect(json["sessionSeq"] as? Int == 1)
            #expect(json["summaryId"] as? String == "\(summary.key):1:\(Self.t0)")
            #expect(summary.headers["summaryId"] == json["summaryId"] as? String)
            #expect(!summary.value.contains("PII"), "form values must never be published")
        }
        #expect(byID["seed-complete"]?["events"] as? [String] == ["ready", "opened", "started", "submitted", "completed", "closed"])
        #expect(byID["seed-complete"]?["formFields"] as? [String] == ["firstName", "phoneNumber"])
        #expect(byID["seed-complete"]?["timeToStartMs"] as? Int == 1_000)
        #expect((byID["seed-abandon"]?["attributes"] as? [String: String])?["tenant"] == "acme")
        #expect(byID["seed-cancel"]?["events"] as? [String] == ["ready", "opened", "cancelled", "closed"])

        // Once its session has closed, an event older than the close is late.
        let late = Self.event("seed-cancel", "opened", Self.t0 + 500)
        records.append(late)
        try await pipeline.produce([late])

        let deadLetters = try await pipeline.waitFor("callback.lifecycle.dlq", "seven dead letters") { $0.count >= 7 }
        let codes = Dictionary(grouping: deadLetters, by: { $0.key }).mapValues { $0.map { $0.headers["error"] ?? "?" } }
        #expect(codes["bad-1"] == ["invalid_json"])
        #expect(codes["bad-2"] == ["missing_field"])
        #expect(codes["bad-3"] == ["bad_type"])
        #expect(codes["bad-4"] == ["unknown_event"])
        #expect(codes["bad-5-key"] == ["key_mismatch"])
        #expect(codes["bad-6"] == ["too_large"])
        #expect(codes["seed-cancel"] == ["late_event"])
        for letter in deadLetters {
            #expect(letter.headers["source.topic"] == "callback.lifecycle")
            #expect(letter.headers["source.partition"] != nil && letter.headers["source.offset"] != nil)
            #expect(!(letter.headers["error.detail"] ?? "").isEmpty)
            let original = records.first { $0.key == letter.key && (letter.key != "seed-cancel" || $0.value.contains("\"opened\",\"timestamp\":\(Self.t0 + 500)")) }
            if let size = letter.headers["original.size"] {
                // Larger than --max-record-bytes: a bounded prefix, with the original's size.
                #expect(Int(size) == original?.value.utf8.count)
                #expect(letter.value.utf8.count == 4_096 && original?.value.hasPrefix(letter.value) == true)
            } else {
                #expect(letter.value == original?.value, "the dead letter carries the original bytes")
            }
        }
        #expect(!processor.stderr.contains("PII"), "logs must never contain form values")
    }

    @Test func abandonedSessionIsEmittedAfterTheTimeoutWhileNoTrafficFlows() async throws {
        let pipeline = try await Pipeline.start()
        defer { pipeline.stop() }
        let (processor, _) = try await pipeline.startProcessor()
        defer { processor.kill() }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await pipeline.produce([
            Self.event("quiet-1", "ready", now), Self.event("quiet-1", "opened", now + 100), Self.event("quiet-1", "started", now + 200),
        ])
        // Nothing else arrives: only the idle partition's wall-clock advancement can end it.
        let summaries = try await pipeline.waitFor("callback.summaries", "the timed-out session", timeout: .seconds(30)) { !$0.isEmpty }
        let json = try #require(summaries.first).json
        #expect(json["outcome"] as? String == "abandonedForm")
        #expect(json["closeReason"] as? String == "inactivityTimeout")
        #expect((json["anomalies"] as? [String])?.contains("missingClosed") == true)
    }

    @Test func observabilityEndpointsAnswerOverHTTP() async throws {
        let pipeline = try await Pipeline.start()
        defer { pipeline.stop() }
        var settings = Pipeline.fastSettings
        settings[settings.firstIndex(of: "3s")!] = "10m"  // keep the session open
        let (processor, port) = try await pipeline.startProcessor(settings: settings)
        defer { processor.kill() }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await pipeline.produce([Self.event("live-1", "opened", now), Self.event("live-1", "started", now + 10)])

        #expect(try await httpGet(port: port, "/healthz").status == 200)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        var session = try await httpGet(port: port, "/sessions/live-1")
        while session.status != 200 || !session.body.contains("started"), clock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            session = try await httpGet(port: port, "/sessions/live-1")
        }
        #expect(session.status == 200)
        #expect(session.body.contains("\"interactionId\":\"live-1\""))
        #expect(try await httpGet(port: port, "/sessions/nobody").status == 404)
        #expect(try await httpGet(port: port, "/readyz").status == 200)
        let metrics = try await httpGet(port: port, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("callback_stream_records_consumed_total{partition="))
        #expect(metrics.body.contains("callback_stream_open_sessions{partition="))
        #expect(metrics.body.contains("callback_stream_ready 1"))
        let overview = try await httpGet(port: port, "/api/overview")
        #expect(overview.status == 200 && overview.body.contains("\"funnel\""))
        let page = try await httpGet(port: port, "/")
        #expect(page.status == 200 && page.body.contains("<html"))
        // The history the dashboard's chart starts from: sampled since the server listens.
        let history = try await httpGet(port: port, "/api/history")
        #expect(history.status == 200 && history.body.contains("\"samples\":[{\"t\":"), "\(history.body)")
    }
}

extension ProcessorEndToEndTests {
    @Test func aConfigFileAloneConfiguresTheProcessor() async throws {
        let pipeline = try await Pipeline.start()
        defer { pipeline.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("callback-stream-\(UUID().uuidString).yaml")
        try """
            bootstrap-servers: \(pipeline.bootstrap)
            group-id: from-config-file
            metrics-address: 127.0.0.1
            metrics-port: 0
            inactivity-timeout: 3s
            allowed-lateness: 1s
            idle-advance-after: 1s
            librdkafka:
              client.id: configured-by-file
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        // Nothing sets --stream-threads: the default, auto, decides and says so.
        let (processor, _) = try await pipeline.startProcessor(["--config", file.path], settings: [], streamThreads: nil)
        defer { processor.kill() }
        try await pipeline.produce(Self.scenarioRecords("cfg", ["ready", "opened", "cancelled", "closed"]))
        let summaries = try await pipeline.waitFor("callback.summaries", "the summary") { !$0.isEmpty }
        #expect(summaries.first?.json["outcome"] as? String == "cancelledBeforeStart")
        #expect(processor.stderr.contains("kafka.group=from-config-file"))
        // The CPUs available, at most the input's 4 partitions (Pipeline.start()'s default).
        #expect((1...4).contains { processor.stderr.contains("stream.threads=\($0) stream.threads.reason=auto: ") },
                "\(processor.stderr.prefix(3_000))")
        #expect(processor.stderr.contains("input topic has 4 partitions") || processor.stderr.contains("capped by the input topic's"))
    }

    @Test(arguments: [
        (["--inactivity-timeout", "soon"], "--inactivity-timeout"),
        (["--alert-threshold", "2"], "--alert-threshold"),
        (["-X", "no.such.property=1"], "no.such.property"),
    ])
    func badSettingsFailAtStartNamingThem(arguments: [String], named: String) async throws {
        let process = try ChildProcess(Pipeline.binary, ["run", "--bootstrap-servers", "127.0.0.1:1"] + arguments)
        process.closeInput()
        let exit = try await process.waitForExit()
        #expect(exit.status != 0)
        #expect(process.stderr.contains(named), "\(process.stderr)")
    }

    static func scenarioRecords(_ id: String, _ names: [String]) -> [(key: String, value: String)] {
        names.enumerated().map { event(id, $0.element, t0 + Int64($0.offset) * 1_000) }
    }
}

/// Checks summaries read back against the generator's ground truth.
struct TruthCheck {
    var missing: [String] = []
    var unexpected: [String] = []
    var duplicates = 0
    var nonIdenticalDuplicates: [String] = []
    var mismatched: [String] = []

    init(summaries: [ConsumedRecord], truth: GroundTruth) {
        let expected = (truth.expectedSessions ?? []).filter(\.isPublishedByDefault)
        var seen: [String: String] = [:]
        for record in summaries {
            let id = record.json["summaryId"] as? String ?? "?"
            if let previous = seen[id] {
                duplicates += 1
                if previous != record.value { nonIdenticalDuplicates.append(id) }
            } else {
                seen[id] = record.value
            }
        }
        let expectedByID = Dictionary(uniqueKeysWithValues: expected.map { ($0.summaryId, $0) })
        missing = expectedByID.keys.filter { seen[$0] == nil }.sorted()
        unexpected = seen.keys.filter { expectedByID[$0] == nil }.sorted()
        for (id, value) in seen {
            guard let session = expectedByID[id],
                  let json = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any] else { continue }
            if json["outcome"] as? String != session.outcome.rawValue
                || json["closeReason"] as? String != session.closeReason.rawValue
                || json["events"] as? [String] != session.events.map(\.rawValue)
                || json["sessionSeq"] as? Int != session.sessionSeq {
                mismatched.append(id)
            }
        }
    }

    var exact: Bool { missing.isEmpty && unexpected.isEmpty && nonIdenticalDuplicates.isEmpty && mismatched.isEmpty }
}
