import TestSupport
import Foundation
import Testing

/// What browsers and broken integrations send, end to end on the embedded broker: none of it may
/// stop, corrupt or pin the processor (issue 15).
@Suite(.serialized) struct ProductionHardeningEndToEndTests {
    static let t0: Int64 = 1_767_225_600_000
    typealias E = ProcessorEndToEndTests

    /// The SHA-256 of `bytes` as lowercase hex, computed by an independent tool.
    static func sha256(_ bytes: String) async throws -> String {
        let process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/sha256sum"), ["-"])
        process.write(bytes)
        process.closeInput()
        _ = try await process.waitForExit()
        return String(process.stdout.prefix(64))
    }

    /// Produces one record with kcat, allowing records up to `maxBytes` (and compressing with `codec`).
    static func produceLarge(_ pipeline: Pipeline, key: String, value: String, maxBytes: Int, codec: String = "none") async throws {
        _ = try await BrokerCommandTests.kcat(
            ["-b", pipeline.bootstrap, "-P", "-t", "callback.lifecycle", "-K\u{09}", "-z", codec,
             "-X", "message.max.bytes=\(maxBytes)"],
            input: "\(key)\t\(value)\n")
    }

    @Test func recordsOfMegabytesAreDeadLetteredAsABoundedPrefixAndTheRecordsAfterThemSummarized() async throws {
        let pipeline = try await Pipeline.start(partitions: 1)
        defer { pipeline.stop() }
        let (processor, port) = try await pipeline.startProcessor()
        defer { processor.kill() }

        try await pipeline.produce([E.event("before", "opened", Self.t0), E.event("before", "closed", Self.t0 + 1_000)])
        let big = #"{"interactionId":"big-1","event":"opened","timestamp":\#(Self.t0 + 2_000),"padding":""#
            + String(repeating: "x", count: 1_200_000) + #""}"#
        try await Self.produceLarge(pipeline, key: "big-1", value: big, maxBytes: 3_000_000)
        // Larger than librdkafka's default message.max.bytes even after decompression.
        let huge = #"{"interactionId":"big-2","event":"opened","timestamp":\#(Self.t0 + 2_500),"padding":""#
            + String(repeating: "y", count: 3_000_000) + #""}"#
        try await Self.produceLarge(pipeline, key: "big-2", value: huge, maxBytes: 8_000_000, codec: "gzip")
        try await pipeline.produce([
            E.event("after", "opened", Self.t0 + 3_000), E.event("after", "cancelled", Self.t0 + 4_000),
            E.event("after", "closed", Self.t0 + 5_000), E.event("later", "opened", Self.t0 + 20_000),
        ])

        let summaries = try await pipeline.waitFor("callback.summaries", "the summaries before and after") { $0.count >= 2 }
        #expect(summaries.map(\.key).sorted() == ["after", "before"])
        let deadLetters = try await pipeline.waitFor("callback.lifecycle.dlq", "two dead letters") { $0.count >= 2 }
        #expect(deadLetters.count == 2)
        for (letter, original) in zip(deadLetters, [big, huge]) {
            #expect(letter.headers["error"] == "too_large")
            #expect(letter.headers["original.size"] == "\(original.utf8.count)")
            #expect(letter.headers["original.sha256"] == (try await Self.sha256(original)))
            #expect(letter.value.utf8.count == 4_096)
            #expect(original.hasPrefix(letter.value))
        }
        #expect(processor.exit == nil, "the processor must keep running: \(processor.stderr.suffix(2_000))")
        let metrics = try await httpGet(port: port, "/metrics").body
        #expect(metrics.contains(#"callback_stream_dead_letters_total{code="too_large"} 2"#))
    }

    @Test func aBrowserClockYearsAheadIsDeadLetteredAndTouchesNoOtherSession() async throws {
        let pipeline = try await Pipeline.start(partitions: 1)
        defer { pipeline.stop() }
        let settings = ["--inactivity-timeout", "10m", "--allowed-lateness", "1s", "--idle-advance-after", "10m",
                        "--commit-interval", "200ms", "--metrics-address", "127.0.0.1", "--metrics-port", "0"]
        let (processor, port) = try await pipeline.startProcessor(settings: settings)
        defer { processor.kill() }

        // Two interactions in progress; then one visitor whose clock is five years ahead (the
        // record's own timestamp is now: kcat's CreateTime).
        try await pipeline.produce(["a", "b"].flatMap { id in
            [E.event(id, "opened", Self.t0), E.event(id, "started", Self.t0 + 1_000)]
        })
        let skewed = Self.t0 + 5 * 365 * 86_400_000 + 400 * 86_400_000
        try await pipeline.produce([E.event("skewed", "opened", skewed)])
        try await pipeline.produce(["a", "b"].flatMap { id in
            [E.event(id, "submitted", Self.t0 + 2_000), E.event(id, "completed", Self.t0 + 3_000), E.event(id, "closed", Self.t0 + 4_000)]
        } + [E.event("later", "opened", Self.t0 + 60_000)])

        let summaries = try await pipeline.waitFor("callback.summaries", "a's and b's summaries") { $0.count >= 2 }
        #expect(summaries.map(\.key).sorted() == ["a", "b"])
        for summary in summaries {
            let json = summary.json
            #expect(json["closeReason"] as? String == "closed", "\(summary.key) ended by its own closed event")
            #expect(json["outcome"] as? String == "completed")
            #expect(json["sessionSeq"] as? Int == 1)
            #expect((json["anomalies"] as? [String]) == [], "\(summary.key): \(json["anomalies"] ?? "-")")
        }
        let letters = try await pipeline.waitFor("callback.lifecycle.dlq", "the skewed record") { !$0.isEmpty }
        #expect(letters.map(\.key) == ["skewed"])
        #expect(letters.first?.headers["error"] == "future_timestamp")
        let metrics = try await MetricsReading.fetch(port: port)
        #expect(metrics.sum("callback_stream_dead_letters_total", where: #"code="future_timestamp""#) == 1)
        #expect(processor.exit == nil)
    }

    @Test func aKeyThatNeverStopsCannotPinTheCommittedOffset() async throws {
        let pipeline = try await Pipeline.start(partitions: 1)
        defer { pipeline.stop() }
        // Inactivity 3 s, window 10 s, lateness 1 s, maximum duration 5 s: the committed offset may
        // stay at most 5 + max(3, 2 × 10 + 1) = 26 s of event time behind the watermark.
        let settings = ["--inactivity-timeout", "3s", "--allowed-lateness", "1s", "--idle-advance-after", "10m", "--window", "10s",
                        "--max-session-duration", "5s", "--commit-interval", "200ms",
                        "--metrics-address", "127.0.0.1", "--metrics-port", "0"]
        let (processor, port) = try await pipeline.startProcessor(settings: settings)
        defer { processor.kill() }

        // An integration that sends interactionId "undefined" for every user: one event every
        // 100 ms of event time for 2 minutes, `closed` now and then.
        let names = ["opened", "started", "submitted", "completed"]
        func batch(_ range: Range<Int>) -> [(key: String, value: String)] {
            range.map { i in E.event("undefined", i % 150 == 149 ? "closed" : names[i % names.count], Self.t0 + Int64(i) * 100) }
        }
        var lags: [(position: Double, records: Double, seconds: Double)] = []
        for half in [0..<600, 600..<1_200] {
            try await pipeline.produce(batch(half))
            var reading = try await MetricsReading.fetch(port: port)
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            // Consumed, and the commit after it made (the commit interval is 200 ms).
            while reading.sum("callback_stream_records_consumed_total") < Double(half.upperBound), clock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                reading = try await MetricsReading.fetch(port: port)
            }
            try await Task.sleep(for: .milliseconds(600))
            reading = try await MetricsReading.fetch(port: port)
            lags.append((reading.sum("callback_stream_records_consumed_total"), reading.sum("callback_stream_commit_lag_records"),
                         reading.sum("callback_stream_commit_lag_seconds")))
        }
        #expect(lags.map(\.position) == [600, 1_200])
        // 26 s of event time is 260 records; the retained offset is tracked in blocks of 64.
        for lag in lags {
            #expect(lag.seconds <= 26 + 6.4, "commit lag \(lag.seconds) s of event time")
            #expect(lag.records <= 260 + 64, "commit lag \(lag.records) records")
        }
        let committed = lags.map { $0.position - $0.records }
        #expect(committed[1] > committed[0] + 400, "the committed offset keeps advancing: \(committed)")

        let summaries = try await pipeline.read("callback.summaries")
        let reasons = Set(summaries.compactMap { $0.json["closeReason"] as? String })
        #expect(reasons.contains("maxDuration"), "sessions of the endless key end at the maximum duration: \(reasons)")
        #expect(processor.exit == nil)
    }

    @Test func aKilledInstanceRestartedWithDefaultsIsProcessingAgainWithin15Seconds() async throws {
        let pipeline = try await Pipeline.start(partitions: 8)
        defer { pipeline.stop() }
        // librdkafka's group settings as the processor sets them: no -X here.
        let settings = ["--inactivity-timeout", "3s", "--allowed-lateness", "1s", "--idle-advance-after", "1s",
                        "--metrics-address", "127.0.0.1", "--metrics-port", "0"]
        let generator = try pipeline.startGenerator(ProcessorRecoveryTests.generatorArguments(interactions: 100_000, rate: 300, seed: 15))
        defer { generator.process.kill() }
        let (first, firstPort) = try await pipeline.startProcessor(settings: settings)
        defer { first.kill() }
        try await eventually("the first instance processes") {
            (try? await MetricsReading.fetch(port: firstPort).sum("callback_stream_records_consumed_total")) ?? 0 > 0
        }
        first.send(SIGKILL)
        _ = try await first.waitForExit()

        let clock = ContinuousClock()
        let restarted = clock.now
        let (second, port) = try await pipeline.startProcessor(settings: settings)
        defer { second.kill() }
        try await eventually("the restarted instance processes", timeout: .seconds(60)) {
            (try? await MetricsReading.fetch(port: port).sum("callback_stream_records_consumed_total")) ?? 0 > 0
        }
        let recovery = clock.now - restarted
        print("recovery after kill -9 with the default group settings: \(recovery)")
        #expect(recovery < .seconds(15), "processing again \(recovery) after the restart (goal 15 s)")
    }
}
