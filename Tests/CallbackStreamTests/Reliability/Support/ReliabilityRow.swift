import Foundation
import Testing

/// One row of `RELIABILITY.md`, written by a scenario from its own run to
/// `test-output/reliability/<id>.json` (or `$RELIABILITY_OUTPUT/<id>.json`) and rendered by
/// `scripts/reliability-report`.
struct ReliabilityRow: Codable, Sendable {
    /// Sort key and file name, e.g. `1-crash-restart`.
    var id: String
    var scenario: String
    var scale = ReliabilityScale.current.rawValue
    var seed = ReliabilityScale.seed
    /// What was pushed through (events, partitions, instances…).
    var load = ""
    /// The faults injected, with counts.
    var faults = ""
    /// Expected summaries (or dead letters) that never appeared.
    var lost: Int?
    /// Summaries that appeared without being expected, or whose content differs from the truth.
    var invented: Int?
    /// Extra, byte-identical copies of an expected summary (the at-least-once replay window).
    var duplicates: Int?
    /// Copies of a summaryId whose bytes differ (must be 0).
    var nonIdenticalDuplicates: Int?
    /// Free text: measured values (RSS, evictions, kill moments…).
    var notes = ""
    /// `pass`, or `FAIL: <what>`.
    var result = "not finished"
    var seconds = 0.0
    var finishedAt = ""

    /// Where rows go: `$RELIABILITY_OUTPUT`, else `<package>/test-output/reliability`.
    static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["RELIABILITY_OUTPUT"] {
            return URL(fileURLWithPath: path)
        }
        // This file is <package>/Tests/CallbackStreamTests/Reliability/Support/ReliabilityRow.swift.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("test-output/reliability")
    }

    /// Saves the logs (stderr) of a scenario's processes to `<directory>/logs/<id>/<name>-<n>.log`
    /// for post-mortems (CI keeps `test-output/` as an artifact).
    static func saveLogs(id: String, _ processes: [(name: String, process: ChildProcess)]) {
        let folder = directory.appendingPathComponent("logs/\(id)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, entry) in processes.enumerated() {
            let file = folder.appendingPathComponent("\(index + 1)-\(entry.name).log")
            try? Data(("# \(entry.process.commandLine)\n" + entry.process.stderr).utf8).write(to: file)
        }
    }

    /// Saves `text` to `<directory>/logs/<id>/<name>` (post-mortem details).
    static func saveText(id: String, name: String, _ text: String) {
        let folder = directory.appendingPathComponent("logs/\(id)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    /// Writes the row (pretty JSON, sorted keys).
    func write() throws {
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: Self.directory.appendingPathComponent("\(id).json"))
    }

    /// Runs `body`, which fills in the row and returns the list of failed expectations (empty:
    /// pass), then writes the row, also when `body` throws (result `FAIL: <error>`).
    static func record(
        id: String, scenario: String, _ body: (inout ReliabilityRow) async throws -> [String]
    ) async throws {
        var row = ReliabilityRow(id: id, scenario: scenario)
        // Logs of an earlier run of this scenario would mix with this run's.
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("logs/\(id)"))
        let clock = ContinuousClock()
        let started = clock.now
        func finish(_ result: String) {
            let elapsed = clock.now - started
            row.seconds = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18).rounded()
            row.finishedAt = ISO8601DateFormatter().string(from: Date())
            row.result = result
            do { try row.write() } catch { print("reliability: cannot write row \(id): \(error)") }
            print("reliability: \(id): \(result) in \(row.seconds) s — \(row.notes)")
        }
        do {
            let failures = try await body(&row)
            finish(failures.isEmpty ? "pass" : "FAIL: " + failures.joined(separator: "; "))
        } catch {
            finish("FAIL: \(error)")
            throw error
        }
    }
}

/// A scenario's exact expectations: each is a Swift Testing expectation, and the failed ones
/// also become the row's result.
struct Expectations {
    private(set) var failures: [String] = []

    /// Expects `condition`; `what` describes the expectation (and the failure).
    mutating func check(_ condition: Bool, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = what()
        #expect(condition, Comment(rawValue: text), sourceLocation: sourceLocation)
        if !condition { failures.append(text) }
    }
}
