import Foundation
import Testing

/// Checks against a live processor with known traffic: the dashboard in a real browser, and the
/// deploy/ dashboards and alert rules against a real `/metrics` scrape.
@Suite(.serialized) struct LiveProcessorChecksTests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Starts a processor and feeds it the seed's three scenarios; returns once all three are summarized.
    static func processorWithSeedScenarios() async throws -> (Pipeline, ChildProcess, Int) {
        let pipeline = try await Pipeline.start()
        let (processor, port) = try await pipeline.startProcessor()
        let t0 = ProcessorEndToEndTests.t0
        var records: [(key: String, value: String)] = []
        for (id, names) in [
            ("cancel", ["ready", "opened", "cancelled", "closed"]),
            ("abandon", ["ready", "opened", "started", "cancelled", "closed"]),
            ("complete", ["ready", "opened", "started", "submitted", "completed", "closed"]),
        ] {
            for (i, name) in names.enumerated() {
                records.append(ProcessorEndToEndTests.event(id, name, t0 + Int64(i) * 1_000))
            }
        }
        records.append(("broken", "{not json"))
        try await pipeline.produce(records)
        _ = try await pipeline.waitFor("callback.summaries", "three summaries") { $0.count >= 3 }
        return (pipeline, processor, port)
    }

    @Test func dashboardShowsTheLiveFunnelInARealBrowser() async throws {
        let (pipeline, processor, port) = try await Self.processorWithSeedScenarios()
        defer { processor.kill(); pipeline.stop() }
        let output = Self.repository.appendingPathComponent("test-output")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let screenshot = output.appendingPathComponent("dashboard-live.png")
        try? FileManager.default.removeItem(at: screenshot)

        let check = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), [
            Self.repository.appendingPathComponent("scripts/browser_check.py").path,
            "--url", "http://127.0.0.1:\(port)/",
            "--expect", "funnel-opened==3", "--expect", "funnel-started==2",
            "--expect", "funnel-submitted==1", "--expect", "funnel-completed==1",
            "--expect", "summaries-total==3", "--expect", "events-total==16",
            "--timeout", "60", "--screenshot", screenshot.path,
        ])
        check.closeInput()
        let exit = try await check.waitForExit(timeout: .seconds(120))
        #expect(exit.status == 0, "browser check failed: \(check.stdout.suffix(3000)) \(check.stderr.suffix(2000))")
        let size = (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
        #expect(size > 30_000, "the screenshot should show a rendered page")
    }

    @Test func deployDashboardsAndRulesUseOnlyMetricsTheProcessorExports() async throws {
        let (pipeline, processor, port) = try await Self.processorWithSeedScenarios()
        defer { processor.kill(); pipeline.stop() }
        let scrape = try await httpGet(port: port, "/metrics")
        #expect(scrape.status == 200)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("scrape-\(UUID().uuidString).txt")
        try scrape.body.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        let validate = try ChildProcess(Self.repository.appendingPathComponent("scripts/validate-deploy"), ["--metrics-file", file.path])
        validate.closeInput()
        let exit = try await validate.waitForExit(timeout: .seconds(600))
        #expect(exit.status == 0, "validate-deploy failed: \(validate.stdout.suffix(4000)) \(validate.stderr.suffix(2000))")
    }
}
