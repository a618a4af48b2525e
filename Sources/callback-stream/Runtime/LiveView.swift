import CallbackStreamService
import Foundation
import Synchronization

/// The demo's terminal view: progress, rates, outcomes, funnel, alerts and a sample summary,
/// redrawn in place on a terminal or printed as one line per refresh otherwise.
final class LiveView: Sendable {
    private struct State {
        var lastConsumed: UInt64 = 0
        var lastTime = Date()
        var address: String?
        var linesDrawn = 0
    }

    private let redraw: Bool
    private let rate: Double
    private let startedAt: Date
    private let state = Mutex(State())

    init(redraw: Bool, rate: Double, startedAt: Date) {
        self.redraw = redraw
        self.rate = rate
        self.startedAt = startedAt
    }

    /// Whether ``announce(port:address:)`` ran (the HTTP server listens).
    var isAnnounced: Bool { state.withLock { $0.address != nil } }

    /// Prints where the dashboard is, first thing.
    func announce(port: Int, address: String) {
        let host = address == "0.0.0.0" ? "127.0.0.1" : address
        let base = "http://\(host):\(port)"
        state.withLock { $0.address = base }
        write("""
            callback-stream demo — embedded broker, generated traffic (\(Int(rate)) events/s), processor
              dashboard  \(base)/
              metrics    \(base)/metrics
              sessions   \(base)/sessions/{interactionId}
            Ctrl-C stops cleanly.


            """)
    }

    func render(_ snapshot: MetricsSnapshot, produced: Int) {
        let lines = state.withLock { state -> [String] in
            let now = Date()
            let consumed = snapshot.totalConsumed
            let seconds = max(now.timeIntervalSince(state.lastTime), 0.001)
            let eventsPerSecond = Double(consumed &- min(consumed, state.lastConsumed)) / seconds
            state.lastConsumed = consumed
            state.lastTime = now
            return Self.describe(snapshot, produced: produced, eventsPerSecond: eventsPerSecond, elapsed: now.timeIntervalSince(startedAt))
        }
        if redraw {
            let previous = state.withLock { s in defer { s.linesDrawn = lines.count }; return s.linesDrawn }
            var out = previous > 0 ? "\u{1B}[\(previous)A" : ""
            for line in lines { out += "\u{1B}[2K" + line + "\n" }
            FileHandle.standardOutput.write(Data(out.utf8))
        } else {
            write(lines.prefix(2).joined(separator: " | ") + "\n")
        }
    }

    func finish(_ snapshot: MetricsSnapshot, produced: Int) {
        let lines = Self.describe(snapshot, produced: produced, eventsPerSecond: 0, elapsed: Date().timeIntervalSince(startedAt))
        write("\n" + lines.dropFirst().joined(separator: "\n") + "\nstopped: outputs flushed and offsets committed.\n")
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func describe(_ s: MetricsSnapshot, produced: Int, eventsPerSecond: Double, elapsed: TimeInterval) -> [String] {
        let summaries = s.summaries.filter { $0.key.outcome != "notOpened" }.values.reduce(0, +)
        var byOutcome: [String: UInt64] = [:]
        for (key, n) in s.summaries { byOutcome[key.outcome, default: 0] += n }
        let outcomes = ["completed", "failed", "abandonedForm", "cancelledBeforeStart", "submittedUnconfirmed", "notOpened"]
            .map { "\($0) \(byOutcome[$0] ?? 0)" }.joined(separator: " · ")
        let funnel = MetricsSnapshot.funnelStages.map { "\($0) \(s.stageReached[$0] ?? 0)" }.joined(separator: " → ")
        let deadLetters = s.deadLettersByCode.values.reduce(0, +)
        let codes = s.deadLettersByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let ratio = s.lastWindowErrorRatio.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
        let minutes = Int(elapsed) / 60, secs = Int(elapsed) % 60
        var lines = [
            String(format: "elapsed %02d:%02d  produced %d  consumed %d  events/s %.0f  %@",
                   minutes, secs, produced, s.totalConsumed, eventsPerSecond, s.ready ? "ready" : "starting…"),
            "open sessions \(s.totalOpenSessions)  summaries \(summaries)  dead letters \(deadLetters)  late \(s.lateEvents)  evicted \(s.evictions)  alerts \(s.alerts)",
            "outcomes   \(outcomes)",
            "funnel     \(funnel)",
            "errors     last window \(ratio) (alert above \(String(format: "%.0f%%", s.alertThreshold * 100)))",
            "dead letters by code  \(codes.isEmpty ? "–" : codes)",
        ]
        lines.append("last alert     " + (s.recentAlerts.last.map { clip($0) } ?? "–"))
        lines.append("sample summary " + (s.sampleSummary.map { clip($0) } ?? "–"))
        return lines
    }

    private static func clip(_ text: String, to width: Int = 160) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }
}
