import Foundation

/// Follows a topic from its beginning with a long-running `kcat` consumer (an independent
/// client) and hands every record to a callback as it arrives, binary-safe.
///
/// It also proves that it saw *everything*: every partition must start at offset 0 and continue
/// without a hole. The mock broker deletes the oldest data of a partition beyond ~5 MiB, so a
/// hole means retention removed records before they were read and a count cannot be trusted.
final class TopicTail: Sendable {
    private struct State {
        var parser = KcatRecordParser()
        var nextOffset: [Int32: Int64] = [:]
        var holes: [String] = []
        var failure: String?
    }

    let topic: String
    private let state = Locked(State())
    private let process: ChildProcess

    /// Starts reading `topic`; `onRecord` runs on a reader thread, one record at a time.
    init(bootstrap: String, topic: String, onRecord: @escaping @Sendable (KcatRecordParser.View) -> Void) throws {
        self.topic = topic
        let state = self.state
        process = try ChildProcess(
            BrokerCommandTests.kcat,
            ["-b", bootstrap, "-C", "-u", "-t", topic, "-o", "beginning", "-q", "-f", KcatRecordParser.format,
             "-X", "fetch.wait.max.ms=50"],
            stdoutSink: { data in
                state.withLock { state in
                    do {
                        try state.parser.feed(data) { record in
                            let expected = state.nextOffset[record.partition] ?? 0
                            if record.offset != expected, state.holes.count < 20 {
                                state.holes.append("\(topic)[\(record.partition)]: offset \(record.offset) after \(expected - 1)")
                            }
                            state.nextOffset[record.partition] = record.offset + 1
                            onRecord(record)
                        }
                    } catch {
                        if state.failure == nil { state.failure = "\(error)" }
                    }
                }
            })
        process.closeInput()
    }

    /// Records read so far.
    var count: Int { state.withLock { $0.parser.count } }
    /// Where offsets did not start at 0 or skipped (retention removed unread records).
    var holes: [String] { state.withLock { $0.holes } }
    /// A parse failure or kcat's death, if any.
    var failure: String? {
        if let failure = state.withLock({ $0.failure }) { return failure }
        if let exit = process.exit { return "kcat on \(topic) exited (\(exit.status)): \(process.stderr.suffix(500))" }
        return nil
    }

    /// Waits until `condition` holds (checked every 100 ms) or `timeout` passes.
    func wait(for what: String, timeout: Duration, _ condition: () -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !condition() {
            if let failure { throw ChildProcess.DeadlineExceeded(description: "reading \(topic) failed: \(failure)") }
            guard clock.now < deadline else {
                throw ChildProcess.DeadlineExceeded(description: "timed out after \(timeout) waiting for \(what) on \(topic) (\(count) records read)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Waits until the tail has read up to the topic's current end (its high watermarks).
    func catchUp(_ pipeline: Pipeline, partitions: Int, timeout: Duration = .seconds(60)) async throws {
        let high = try await pipeline.watermarks(topic, partitions: partitions, low: false)
        try await wait(for: "the end of the topic", timeout: timeout) {
            state.withLock { state in high.allSatisfy { partition, end in end == 0 || (state.nextOffset[partition] ?? 0) >= end } }
        }
    }

    func stop() {
        process.kill()
    }
}
