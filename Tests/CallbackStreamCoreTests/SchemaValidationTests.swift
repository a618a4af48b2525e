import TestSupport
import Foundation
import Testing

@testable import CallbackStreamCore

/// Runs `scripts/validate_schemas.py` (python3 + jsonschema, installed by `scripts/setup`) on
/// the examples and on real encoder output, and checks that the decoder agrees with the
/// lifecycle-event examples.
@Suite struct SchemaValidationTests {
    struct Run {
        var status: Int32
        var output: String
    }

    static func validate(_ arguments: [String]) throws -> Run {
        let script = Repository.url("scripts/validate_schemas.py").path
        let run = try SpawnedProcess.run("/usr/bin/env", ["python3", script] + arguments)
        return Run(status: run.status, output: run.output)
    }

    static func examples() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(
            at: Repository.url("schemas/examples"), includingPropertiesForKeys: nil
        ).sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test func examplesMatchTheirSchemas() throws {
        let run = try Self.validate([])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains(" 0 failures"))
    }

    @Test func theValidatorRejectsWhatItShould() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.jsonl")
        try Data("{\"schemaVersion\":2}\n".utf8).write(to: bad)
        let run = try Self.validate(["--schema", "summary", bad.path])
        #expect(run.status == 1)
        #expect(run.output.contains("1 invalid"))
    }

    /// Summaries and live views of hundreds of generated sessions (every outcome, anomaly,
    /// escaping case) validate against summary / live-session schemas.
    @Test func encoderOutputMatchesTheSchemas() throws {
        var summaries: [String] = []
        var lives: [String] = []
        var gen = SessionGenerator(rng: SeededRandom(seed: 2024))
        for index in 0..<300 {
            let records = gen.session(index: index)
            var driver = SessionDriver(keepFormValues: index % 2 == 0)
            for r in records { try driver.apply(r.json, key: r.interactionId) }
            let id = records[0].interactionId
            summaries.append(
                driver.summary(
                    interactionId: id, sessionSeq: 1 + index % 3,
                    closeReason: driver.state.hasClosed ? .closed : (index % 5 == 4 ? .maxDuration : .inactivityTimeout),
                    extraAnomalies: index % 7 == 0 ? [.evicted] : [], includeFormValues: index % 4 == 0))
            lives.append(driver.live(interactionId: id, sessionSeq: 1 + index % 3))
        }
        for c in InteractionStateTests.outcomeCases {
            let driver = try session(c.steps)
            summaries.append(driver.summary(closeReason: .inactivityTimeout))
        }
        for c in InteractionStateTests.anomalyCases {
            let driver = try session(c.steps)
            summaries.append(driver.summary())
            lives.append(driver.live())
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let summaryFile = directory.appendingPathComponent("summaries.jsonl")
        let liveFile = directory.appendingPathComponent("live.jsonl")
        try Data((summaries.joined(separator: "\n") + "\n").utf8).write(to: summaryFile)
        try Data((lives.joined(separator: "\n") + "\n").utf8).write(to: liveFile)
        let summaryRun = try Self.validate(["--schema", "summary", summaryFile.path])
        #expect(summaryRun.status == 0, "\(summaryRun.output)")
        #expect(summaryRun.output.contains("\(summaries.count) documents checked against summary, 0 invalid"))
        let liveRun = try Self.validate(["--schema", "live-session", liveFile.path])
        #expect(liveRun.status == 0, "\(liveRun.output)")
    }

    /// Dead letters from the topology — a cut `too_large` one with `original.size` and
    /// `original.sha256`, a `future_timestamp` and a `late_event` one — with the headers the
    /// processor derives from each output, validate against the dead-letter schema.
    @Test func topologyDeadLettersMatchTheSchema() throws {
        var driver = HardeningDriver(TopologyConfiguration(inactivityTimeoutMs: 1_000, allowedLatenessMs: 0))
        driver.pipe("big", BoundedDeadLetterTests.bigRecord(200_000))
        driver.event("a", "closed", 1_767_225_600_000)
        driver.event("b", "ready", 1_767_225_600_010)
        driver.event("a", "opened", 1_767_225_599_000)
        driver.event("c", "opened", 1_767_226_600_000, recordTimestamp: 1_767_225_600_000)
        let dlq = driver.of("dlq")
        #expect(dlq.map(\.code) == ["too_large", "late_event", "future_timestamp"])
        func quoted(_ s: String) -> String {
            var out = "\""
            for c in s.unicodeScalars {
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                default: out.unicodeScalars.append(c)
                }
            }
            return out + "\""
        }
        var lines: [String] = []
        for (index, output) in dlq.enumerated() {
            let detail = String(output.detail[..<output.detail.lastIndex(of: "@")!].dropLast())
            var headers = [
                ("error", output.code), ("error.detail", detail), ("source.topic", "callback.lifecycle"),
                ("source.partition", "0"), ("source.offset", "\(index)"),
            ]
            if let original = output.original {
                headers += [("original.size", "\(original.size)"), ("original.sha256", original.sha256)]
            }
            let fields = headers.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",")
            lines.append("{\"key\":\(quoted(output.key)),\"value\":\(quoted(output.text)),\"headers\":{\(fields)}}")
        }
        #expect(dlq[0].value.count == 4_096 && dlq[0].original?.size == 200_000)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("dead-letters.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        let run = try Self.validate(["--schema", "dead-letter", file.path])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("3 documents checked against dead-letter, 0 invalid"))
    }

    /// The decoder accepts every valid lifecycle-event example and rejects every invalid one with
    /// the code named in its file name (`lifecycle-event.invalid.<code>.<label>.json`).
    @Test func decoderAgreesWithTheEventExamples() throws {
        var checked = 0
        for url in try Self.examples() where url.lastPathComponent.hasPrefix("lifecycle-event.") {
            let parts = url.lastPathComponent.split(separator: ".")
            let text = try String(contentsOf: url, encoding: .utf8)
            let lines = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            for line in lines {
                let key = interactionId(of: line) ?? "cb-1"
                let result = decodeOwned(line, key: key)
                if parts[1] == "valid" {
                    #expect(throws: Never.self, "\(url.lastPathComponent)") { try result.get() }
                } else {
                    let code = try #require(RejectionCode(rawValue: String(parts[2])), "\(url.lastPathComponent)")
                    guard case .failure(let r) = result else {
                        Issue.record("\(url.lastPathComponent) was accepted")
                        continue
                    }
                    #expect(r.code == code, "\(url.lastPathComponent): \(r)")
                }
                checked += 1
            }
        }
        #expect(checked >= 30)
    }
}
