import Foundation
import Synchronization
import TestSupport
import Testing
@testable import CallbackStreamService

/// The dashboard in a real browser: an in-process ``ObservabilityServer`` on 127.0.0.1 and
/// headless Debian `chromium`, driven by `scripts/browser_check.py` over the DevTools protocol.
///
/// Requires `python3` and `chromium` (scripts/setup installs it); without them these tests fail.
@Suite(.serialized) struct DashboardBrowserTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repositoryRoot.appendingPathComponent("scripts/browser_check.py").path
    static let outputDirectory = repositoryRoot.appendingPathComponent("test-output")

    static func wallClockMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func firstSnapshot() -> MetricsSnapshot {
        var s = MetricsSnapshot()
        s.consumedByPartition = [0: 500, 1: 700]
        s.producedByOutput = [.summaries: 100, .stats: 4, .alerts: 1, .dlq: 3]
        s.deadLettersByCode = ["invalid_json": 3]
        s.openSessionsByPartition = [0: 7, 1: 5]
        s.summaries = [
            .init(outcome: "completed", closeReason: "closed"): 45,
            .init(outcome: "abandonedForm", closeReason: "closed"): 30,
            .init(outcome: "failed", closeReason: "closed"): 10,
            .init(outcome: "cancelledBeforeStart", closeReason: "inactivityTimeout"): 15,
            // Counted, not published: "Summaries out" must not include them.
            .init(outcome: "notOpened", closeReason: "inactivityTimeout"): 20,
        ]
        s.stageReached = ["opened": 120, "started": 90, "submitted": 60, "completed": 45]
        s.alerts = 1
        s.lastWindowErrorRatio = 0.2
        s.alertThreshold = 0.1
        s.lastWindowElapsed = .init(p50: 40_000, p95: 90_000, p99: 120_000)
        let now = wallClockMs()
        s.watermarkByPartition = [0: now - 5_000, 1: now - 7_000]
        s.consumerLagByPartition = [0: 12, 1: 0]
        // Partition 0 holds its committed offset 3,400 records / 1,234.5 s of event time back.
        s.commitLagRecordsByPartition = [0: 3_400, 1: 0]
        s.commitLagEventTimeMsByPartition = [0: 1_234_500, 1: 0]
        s.produceErrors = [.init(output: "summaries", code: "MSG_SIZE_TOO_LARGE"): 2]
        s.statsMerge = ["partial": 40, "progress_marker": 80, "complete_window": 7, "incomplete_window": 1]
        s.openStatsWindows = 2
        s.ready = true
        s.recentAlerts = [
            #"{"schemaVersion":1,"alertId":"a1","windowStart":1763999880000,"windowEnd":1763999940000,"tenant":"acme","ratio":0.2,"submissions":50,"submissionsWithErrors":10,"threshold":0.1,"topErrorCodes":[{"code":"timeout","count":6},{"code":"invalid_phone","count":4}]}"#,
            "an alert text that is not JSON",
        ]
        return s
    }

    /// Higher counts than ``firstSnapshot()``: the page must show them without a reload.
    static func secondSnapshot() -> MetricsSnapshot {
        var s = firstSnapshot()
        s.consumedByPartition = [0: 650, 1: 850]
        s.stageReached = ["opened": 130, "started": 97, "submitted": 66, "completed": 50]
        s.summaries[.init(outcome: "completed", closeReason: "closed")] = 50
        s.openSessionsByPartition = [0: 9, 1: 5]
        s.commitLagRecordsByPartition = [0: 3_900, 1: 25]
        s.commitLagEventTimeMsByPartition = [0: 1_294_500, 1: 4_000]
        s.produceErrors[.init(output: "dlq", code: "INVALID_RECORD")] = 1
        return s
    }

    static let sessionJSON = #"{"interactionId":"cb-42","sessionSeq":1,"events":["ready","opened","started"],"state":"started"}"#

    /// A running server on 127.0.0.1 with a stand-in for the poll loop's query answering.
    struct RunningServer {
        let server: ObservabilityServer
        let board: MetricsBoard
        let url: String
        let tasks: [Task<Void, Never>]
        let queries: SessionQueries

        static func start(page: String, snapshot: MetricsSnapshot, history: MetricsHistory = MetricsHistory()) async throws -> RunningServer {
            let board = MetricsBoard(snapshot)
            let queries = SessionQueries()
            let server = try ObservabilityServer(
                address: "127.0.0.1", port: 0, board: board, history: history, lookup: { id in await queries.lookup(id) },
                overview: OverviewRenderer.render, dashboardHTML: page, nowMs: DashboardBrowserTests.wallClockMs)
            let serving = Task<Void, Never> { _ = try? await server.run() }
            // Answers lookups once per turn, as the poll loop does.
            let answering = Task {
                while !Task.isCancelled {
                    for query in queries.drain() {
                        query.answer(query.interactionID == "cb-42" ? DashboardBrowserTests.sessionJSON : nil)
                    }
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
            let port = try await server.listeningPort()
            return RunningServer(server: server, board: board, url: "http://127.0.0.1:\(port)/",
                                 tasks: [serving, answering], queries: queries)
        }

        func stop() async {
            tasks[1].cancel()
            queries.failAll()
            await server.stop()
            tasks[0].cancel()
        }
    }

    /// The outcome of one `browser_check.py` run.
    struct CheckResult: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var report: [String: Any]? {
            guard let line = stdout.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
                  let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else { return nil }
            return object as? [String: Any]
        }
    }

    /// Collects a child's output and completes when both pipes reached EOF and it exited.
    final class ProcessOutput: Sendable {
        private struct State {
            var stdout = Data()
            var stderr = Data()
            var lineStart = 0
            var pending = 3 // stdout EOF, stderr EOF, exit
            var status: Int32 = -1
            var continuation: CheckedContinuation<CheckResult, Never>?
            var result: CheckResult?
        }
        private let state = Mutex(State())
        private let onLine: @Sendable (String) -> Void

        init(onLine: @escaping @Sendable (String) -> Void) { self.onLine = onLine }

        func stdout(_ data: Data) {
            var lines: [String] = []
            state.withLock { s in
                if data.isEmpty { Self.finishOne(&s); return }
                s.stdout.append(data)
                while let newline = s.stdout[s.lineStart...].firstIndex(of: 0x0A) {
                    lines.append(String(decoding: s.stdout[s.lineStart..<newline], as: UTF8.self))
                    s.lineStart = newline + 1
                }
            }
            lines.forEach(onLine)
        }

        func stderr(_ data: Data) {
            state.withLock { s in
                if data.isEmpty { Self.finishOne(&s) } else { s.stderr.append(data) }
            }
        }

        func exited(_ status: Int32) {
            state.withLock { s in s.status = status; Self.finishOne(&s) }
        }

        func wait() async -> CheckResult {
            await withCheckedContinuation { continuation in
                state.withLock { s in
                    if let result = s.result { continuation.resume(returning: result) } else { s.continuation = continuation }
                }
            }
        }

        private static func finishOne(_ s: inout State) {
            s.pending -= 1
            guard s.pending == 0 else { return }
            let result = CheckResult(status: s.status, stdout: String(decoding: s.stdout, as: UTF8.self),
                                     stderr: String(decoding: s.stderr, as: UTF8.self))
            s.result = result
            s.continuation?.resume(returning: result)
            s.continuation = nil
        }
    }

    /// Runs `scripts/browser_check.py` with `arguments`, calling `onLine` for each stdout line as it comes.
    static func browserCheck(_ arguments: [String], onLine: @escaping @Sendable (String) -> Void = { _ in }) async throws -> CheckResult {
        let output = ProcessOutput(onLine: onLine)
        _ = try SpawnedProcess(
            "/usr/bin/env", ["python3", script] + arguments, input: .null,
            stdout: { output.stdout($0 ?? Data()) }, stderr: { output.stderr($0 ?? Data()) },
            ended: { ending in
                switch ending {
                case .exited(let status): output.exited(status)
                case .signalled(let signal): output.exited(128 + signal)
                }
            })
        return await output.wait()
    }

    static func chromiumPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    static func requireChromium() throws {
        try #require(chromiumPath() != nil,
                     "chromium is not installed: the dashboard browser test needs Debian's `chromium` (run scripts/setup)")
    }

    @Test func dashboardShowsLiveDataAndLooksUpASession() async throws {
        try Self.requireChromium()
        let running = try await RunningServer.start(page: DashboardPage.html, snapshot: Self.firstSnapshot())
        let screenshot = Self.outputDirectory.appendingPathComponent("dashboard.png")
        try? FileManager.default.removeItem(at: screenshot)
        let second = Self.secondSnapshot()
        let board = running.board
        let stepsSeen = Mutex<[String]>([])

        let result = try await Self.browserCheck([
            "--url", running.url + "?interval=250", "--timeout", "30",
            // Step 1: the first snapshot, every panel.
            "--expect", "funnel-opened==120", "--expect", "funnel-started==90",
            "--expect", "funnel-submitted==60", "--expect", "funnel-completed==45",
            "--expect", "events-total==1200", "--expect", "summaries-total==100", "--expect", "open-sessions==12",
            "--expect", "dead-letters-total==3", "--expect", "dlq-invalid_json==3",
            "--expect", "outcome-completed==45", "--expect", "outcome-cancelledBeforeStart==15",
            "--expect", "alerts-total==1", "--expect", "alerts-recent-count==2",
            "--expect", "alerts-list~=tenant acme", "--expect", "alerts-list~=timeout ×6",
            "--expect", "error-ratio==0.2", "--expect", "alert-threshold==0.1",
            "--expect", "consumer-lag-total==12", "--expect", "partition-count==2",
            "--expect", "watermark-lag-max>=7", "--expect", "elapsed-p95==90000", "--expect", "ready==ready",
            "--expect", "partition-0-commit-lag-records==3400", "--expect", "partition-0-commit-lag-seconds==1234.5",
            "--expect", "partition-1-commit-lag-records==0", "--expect", "partition-1-commit-lag-seconds==0",
            "--expect", "produce-errors-total==2", "--expect", "produce-error-summaries-MSG_SIZE_TOO_LARGE==2",
            "--expect", "stats-complete==7", "--expect", "stats-incomplete==1", "--expect", "stats-open-windows==2",
            // Step 2: the test publishes the second snapshot when step 1 holds; the open page must show it.
            "--then",
            "--expect", "funnel-opened==130", "--expect", "funnel-completed==50", "--expect", "events-total==1500",
            "--expect", "open-sessions==14", "--expect", "outcome-completed==50",
            "--expect", "partition-0-commit-lag-records==3900", "--expect", "partition-0-commit-lag-seconds==1294.5",
            "--expect", "partition-1-commit-lag-records==25", "--expect", "partition-1-commit-lag-seconds==4",
            "--expect", "produce-errors-total==3", "--expect", "produce-error-dlq-INVALID_RECORD==1",
            "--expect", "events-rate-peak>0",
            // Step 3: look up a live session.
            "--then", "--fill", "session-id=cb-42", "--click", "session-lookup",
            "--expect", "session-status==found", "--expect", "session-result~=\"state\": \"started\"",
            "--screenshot", screenshot.path,
        ]) { line in
            stepsSeen.withLock { $0.append(line) }
            if line.hasPrefix("step 1 ok") { board.publish(second) }
        }
        await running.stop()

        #expect(result.status == 0, "browser check failed:\n\(result.stderr)\n\(result.stdout)")
        #expect(stepsSeen.withLock { $0.contains { $0.hasPrefix("step 2 ok") } })
        let report = try #require(result.report, "no report from browser_check.py:\n\(result.stdout)\n\(result.stderr)")
        #expect(report["ok"] as? Bool == true)
        #expect((report["problems"] as? [Any])?.isEmpty == true)
        let size = try FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int ?? 0
        #expect(size > 30_000, "screenshot \(screenshot.path) is only \(size) bytes")
    }

    @Test func theThroughputChartIsFullTheMomentThePageOpens() async throws {
        try Self.requireChromium()
        // The last five minutes as the server's sampler would have kept them: one sample a
        // second, 4 events/s, up to just before the first snapshot's totals.
        let now = Self.wallClockMs()
        let history = MetricsHistory()
        for second in 0..<299 {
            history.record(.init(atMs: now - Int64(299 - second) * 1_000, consumed: UInt64(second) * 4, summaries: UInt64(second) / 3))
        }
        let running = try await RunningServer.start(page: DashboardPage.html, snapshot: Self.firstSnapshot(), history: history)
        let screenshot = Self.outputDirectory.appendingPathComponent("dashboard-history.png")
        try? FileManager.default.removeItem(at: screenshot)
        // At one poll per 250 ms the page alone could not draw 290 points within the timeout:
        // they can only come from `api/history`.
        let result = try await Self.browserCheck([
            "--url", running.url + "?interval=250", "--timeout", "20",
            "--expect", "history-samples>=299", "--expect", "chart-points>=290",
            "--expect", "events-rate-peak>=4", "--expect", "events-total==1200",
            "--screenshot", screenshot.path,
        ])
        await running.stop()
        #expect(result.status == 0, "browser check failed:\n\(result.stderr)\n\(result.stdout)")
    }

    @Test func aPageWithoutDataFails() async throws {
        try Self.requireChromium()
        // The real page against a processor that has counted nothing: once it has rendered a
        // poll (step 1: the funnel shows 0), expecting data must fail.
        let running = try await RunningServer.start(page: DashboardPage.html, snapshot: MetricsSnapshot())
        let result = try await Self.browserCheck([
            "--url", running.url + "?interval=250",
            "--expect", "funnel-opened==0", "--expect", "ready==not ready", "--expect", "poll-count>=1",
            "--then", "--timeout", "2", "--expect", "funnel-opened>=1",
        ])
        await running.stop()
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("step 1 ok"), "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("step 2: not met within 2.0 s: funnel-opened>=1 (page shows '0')"), "\(result.stderr)")
    }

    @Test func aPageErrorFailsEvenWhenTheValuesMatch() async throws {
        try Self.requireChromium()
        let page = """
            <!doctype html><html><head><link rel="icon" href="data:,"></head><body>
            <span id="funnel-opened">5</span>
            <script>console.error("broken panel"); setTimeout(() => { throw new Error("render failed") }, 0);</script>
            </body></html>
            """
        let running = try await RunningServer.start(page: page, snapshot: MetricsSnapshot())
        let result = try await Self.browserCheck(["--url", running.url, "--timeout", "10", "--expect", "funnel-opened==5"])
        await running.stop()
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("uncaught exception: Error: render failed"), "\(result.stderr)")
        #expect(result.stderr.contains("console.error: broken panel"), "\(result.stderr)")
    }

    @Test func aMissingBrowserFailsWithAClearMessage() async throws {
        let result = try await Self.browserCheck([
            "--url", "http://127.0.0.1:9/", "--expect", "funnel-opened>=1", "--chromium", "/nonexistent/chromium",
        ])
        #expect(result.status == 3)
        #expect(result.stderr.contains("chromium not found"), "\(result.stderr)")
    }
}
