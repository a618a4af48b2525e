import CallbackTraffic
import Foundation
import Testing

extension Pipeline {
    /// Sends one line of the broker's control protocol (`broker-down 2`, `errors Produce 3
    /// NOT_ENOUGH_REPLICAS`, …) and returns its answer (`ok` or `error: …`).
    func control(_ command: String) async throws -> String {
        let before = broker.stdoutLines.count
        broker.write(command + "\n")
        try await broker.wait(for: "the answer to '\(command)'") { $0.stdoutLines.count > before || $0.exit != nil }
        let answer = broker.stdoutLines.count > before ? broker.stdoutLines[before] : "broker exited"
        print("reliability: broker control '\(command)' → \(answer)")
        return answer
    }

    /// Low (`low: true`, the oldest offset still kept) or high (the next offset to be written)
    /// watermarks of every partition of `topic`, asked with `kcat -Q` (-2 = earliest, -1 = latest).
    func watermarks(_ topic: String, partitions: Int, low: Bool) async throws -> [Int32: Int64] {
        var arguments = ["-b", bootstrap, "-Q"]
        for partition in 0..<partitions {
            arguments += ["-t", "\(topic):\(partition):\(low ? -2 : -1)"]
        }
        let output = try await BrokerCommandTests.kcat(arguments)
        var result: [Int32: Int64] = [:]
        // Lines: `<topic> [<partition>] offset <n>`.
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count == 4, words[2] == "offset",
                  let partition = Int32(words[1].dropFirst().dropLast()), let offset = Int64(words[3]) else { continue }
            result[partition] = offset
        }
        #expect(result.count == partitions, "kcat -Q answered for \(result.count) of \(partitions) partitions: \(output)")
        return result
    }

    /// Partitions of `topic` whose oldest kept offset is not 0 (retention deleted records).
    func truncatedPartitions(_ topic: String, partitions: Int) async throws -> [Int32] {
        try await watermarks(topic, partitions: partitions, low: true).filter { $0.value != 0 }.keys.sorted()
    }

    /// Starts `callback-stream generate` in the background; ``BackgroundGenerator/finish(timeout:)``
    /// waits for it and returns the ground truth.
    func startGenerator(_ arguments: [String]) throws -> BackgroundGenerator {
        let truthFile = FileManager.default.temporaryDirectory.appendingPathComponent("truth-\(UUID().uuidString).json")
        let process = try ChildProcess(
            Self.binary, ["generate", "--bootstrap-servers", bootstrap, "--truth", truthFile.path, "--truth-sessions"] + arguments)
        process.closeInput()
        return BackgroundGenerator(process: process, truthFile: truthFile)
    }
}

/// A `callback-stream generate` run in progress.
struct BackgroundGenerator: Sendable {
    let process: ChildProcess
    let truthFile: URL

    /// Waits for the generator to end (it must exit 0) and returns its ground truth.
    func finish(timeout: Duration) async throws -> GroundTruth {
        defer { try? FileManager.default.removeItem(at: truthFile) }
        let exit = try await process.waitForExit(timeout: timeout)
        guard exit.status == 0 else {
            throw ChildProcess.DeadlineExceeded(description: "generate exited \(exit.status): \(process.stderr.suffix(2000))")
        }
        return try GroundTruth.decode(from: Data(contentsOf: truthFile))
    }
}

/// Reads a processor's Prometheus metrics.
struct MetricsReading: Sendable {
    let text: String

    /// Fetches `/metrics` from the processor listening on `port`.
    static func fetch(port: Int) async throws -> MetricsReading {
        let response = try await httpGet(port: port, "/metrics")
        guard response.status == 200 else {
            throw ChildProcess.DeadlineExceeded(description: "/metrics answered \(response.status)")
        }
        return MetricsReading(text: response.body)
    }

    /// The sum of every sample of `name` (all label sets), 0 when absent.
    func sum(_ name: String, where labelFilter: String? = nil) -> Double {
        var total = 0.0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2 else { continue }
            let series = parts[0]
            guard series == name || series.hasPrefix(name + "{") else { continue }
            if let labelFilter, !series.contains(labelFilter) { continue }
            total += Double(parts[1]) ?? 0
        }
        return total
    }
}

/// Memory of a running process, from `/proc/<pid>/status`.
enum ProcessMemory {
    /// `VmHWM` (peak resident set) or `VmRSS` in bytes.
    static func read(_ field: String, pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if words.count >= 2, let kilobytes = Int(words[1]) { return kilobytes * 1024 }
        }
        return nil
    }
}

/// Waits for a real span of wall-clock time that is part of a fault (a broker kept down for
/// 5 s, a processor left running for a random while before it is killed) — never used to wait
/// for a condition, which is always polled with a deadline.
func holdFault(for duration: Duration) async throws {
    try await Task.sleep(for: duration)
}

/// `n` with thousands separators (for rows).
func grouped(_ n: Int) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.groupingSeparator = ","
    return formatter.string(from: NSNumber(value: n)) ?? "\(n)"
}
