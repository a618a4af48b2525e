import CallbackTraffic
import Foundation

/// Shared parts of the hostile-input floods (issue 15): records the processor must dead-letter
/// by design, matched against what the test produced, and a watch on consumption progress.

/// The dead letters of hostile records the test produced itself, each expected exactly once with
/// its code, its original key and either its original bytes or (over `--max-record-bytes`) a
/// 4,096-byte prefix with `original.size` and `original.sha256`.
struct HostileLetterCensus: Sendable {
    struct Expected: Sendable {
        var key: String
        var value: [UInt8]
        var code: String
        /// SHA-256 of the value as lowercase hex, computed by an independent tool (truncated letters only).
        var sha256: String?
        var seen = 0
    }

    /// The size of a truncated dead letter's value.
    static let prefixBytes = 4_096

    private var expected: [String: Expected] = [:]  // by "key\u{0}eventId-or-value marker"
    private var byPrefix: [[UInt8]: String] = [:]
    private(set) var records = 0
    private(set) var unexpected: [String] = []
    private(set) var wrong: [String] = []
    private(set) var codes: [String: Int] = [:]

    /// Expects `value` under `key` dead-lettered with `code`; a `sha256` marks a truncated letter.
    mutating func expect(key: String, value: [UInt8], code: String, sha256: String? = nil) {
        let id = Self.identity(key: Array(key.utf8), value: value, truncated: sha256 != nil)
        expected[id] = Expected(key: key, value: value, code: code, sha256: sha256)
    }

    var expectedCount: Int { expected.count }
    var missing: Int { expected.values.count { $0.seen == 0 } }
    var duplicates: Int { expected.values.reduce(0) { $0 + max(0, $1.seen - 1) } }
    /// Keys of expected letters never seen (for messages).
    var missingKeys: [String] { expected.values.filter { $0.seen == 0 }.map(\.key).sorted() }

    /// The identity of a record: key and value, or key and the value's first 4,096 bytes when
    /// the letter is a truncated one.
    private static func identity(key: [UInt8], value: [UInt8], truncated: Bool) -> String {
        var hasher = Hasher()
        hasher.combine(key)
        hasher.combine(truncated ? Array(value.prefix(prefixBytes)) : value)
        return "\(truncated)-\(hasher.finalize())"
    }

    /// Adds one dead letter read from the topic.
    mutating func add(_ record: KcatRecordParser.View) {
        records += 1
        let code = record.header("error") ?? "?"
        codes[code, default: 0] += 1
        let key = record.key.map { Array($0) } ?? []
        let value = record.value.map { Array($0) } ?? []
        let where_ = "\(record.partition)@\(record.offset) key '\(String(decoding: key, as: UTF8.self))'"
        let truncated = record.header("original.sha256") != nil
        let id = Self.identity(key: key, value: value, truncated: truncated)
        guard var entry = expected[id] else {
            if unexpected.count < 10 { unexpected.append("\(where_) \(code): \(String(decoding: value.prefix(200), as: UTF8.self))") }
            else { unexpected.append("…") }
            return
        }
        entry.seen += 1
        var problems: [String] = []
        if code != entry.code { problems.append("code '\(code)' instead of '\(entry.code)'") }
        if record.header("source.topic") != "callback.lifecycle" || record.header("source.partition") == nil
            || record.header("source.offset") == nil || (record.header("error.detail") ?? "").isEmpty {
            problems.append("source/detail headers missing: \(record.headers.prefix(300))")
        }
        if let sha = entry.sha256 {
            if value.count != Self.prefixBytes { problems.append("value of \(value.count) bytes, not a \(Self.prefixBytes)-byte prefix") }
            if !entry.value.starts(with: value) { problems.append("value is not the original's prefix") }
            if record.header("original.size") != "\(entry.value.count)" {
                problems.append("original.size \(record.header("original.size") ?? "absent") instead of \(entry.value.count)")
            }
            if record.header("original.sha256") != sha {
                problems.append("original.sha256 \(record.header("original.sha256") ?? "absent") instead of \(sha)")
            }
        } else if record.header("original.size") != nil {
            problems.append("a small record's letter claims truncation: \(record.headers.prefix(300))")
        }
        if !problems.isEmpty, wrong.count < 10 { wrong.append("\(where_): " + problems.joined(separator: ", ")) }
        expected[id] = entry
    }
}

/// The SHA-256 of each of `values` as lowercase hex, computed by `sha256sum` (not by the code under test).
func independentSHA256(_ values: [[UInt8]]) async throws -> [String] {
    var result: [String] = []
    for value in values {
        let process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/sha256sum"), ["-"])
        process.write(Data(value))
        process.closeInput()
        _ = try await process.waitForExit()
        result.append(String(process.stdout.prefix(64)))
    }
    return result
}

/// Watches a processor's consumption (as the bad-input flood does): how many input records it
/// consumed and the longest pause while input was pending.
struct ConsumptionWatch {
    private let clock = ContinuousClock()
    private(set) var consumed = -1.0
    private var lastProgress: ContinuousClock.Instant
    private(set) var longestStall = Duration.zero

    init() {
        lastProgress = clock.now
    }

    /// Takes one sample; `total` is the input's size once known (all producers done).
    mutating func sample(_ metrics: MetricsReading, total: Int64?) {
        let now = metrics.sum("callback_stream_records_consumed_total")
        if now > consumed {
            consumed = now
            lastProgress = clock.now
        } else if now > 0, metrics.sum("callback_stream_consumer_lag") > 0 || (total.map { now < Double($0) } ?? false) {
            longestStall = max(longestStall, clock.now - lastProgress)
        }
    }

    /// Whether everything of `total` was consumed.
    func done(_ total: Int64?) -> Bool {
        total.map { consumed >= Double($0) } ?? false
    }
}

/// Follows the input topic with an independent client and keeps, per partition, the latest event
/// time of valid traffic and the interactions recently opened there (the sessions in progress).
final class InputFront: Sendable {
    private struct State {
        var latest: [Int32: Int64] = [:]
        var recentlyOpened: [Int32: [String]] = [:]
    }

    private let state = Locked(State())
    let tail: TopicTail

    /// Starts following; records whose key is in `ignoring` (the test's own) do not count.
    init(_ pipeline: Pipeline, ignoring: Set<String>) throws {
        let state = self.state
        tail = try TopicTail(bootstrap: pipeline.bootstrap, topic: "callback.lifecycle") { record in
            guard let value = record.value, value.count < 4_096 else { return }
            let key = record.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
            guard !ignoring.contains(key), !key.hasPrefix("skew-"), !key.hasPrefix("big-") else { return }
            let text = String(decoding: value, as: UTF8.self)
            guard let range = text.range(of: #""timestamp":"#) else { return }
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            guard let timestamp = Int64(digits) else { return }
            let opened = text.contains(#""event":"Callback.opened""#) || text.contains(#""event":"opened""#)
            state.withLock { state in
                state.latest[record.partition] = max(state.latest[record.partition] ?? 0, timestamp)
                if opened {
                    state.recentlyOpened[record.partition, default: []].append(key)
                    if state.recentlyOpened[record.partition]!.count > 8 { state.recentlyOpened[record.partition]!.removeFirst() }
                }
            }
        }
    }

    /// The latest valid event time seen on `partition` (nil before any).
    func latest(_ partition: Int32) -> Int64? { state.withLock { $0.latest[partition] } }
    /// Every partition's latest valid event time.
    var latestByPartition: [Int32: Int64] { state.withLock { $0.latest } }
    /// Interactions opened most recently on any partition (newest last).
    var recentlyOpened: [Int32: [String]] { state.withLock { $0.recentlyOpened } }

    func stop() { tail.stop() }
}

extension Pipeline {
    /// The records written to `topic` so far (sum of its high watermarks), or `nil` when `kcat -Q`
    /// did not answer for every partition (it sometimes answers nothing while the broker is busy
    /// with a new topic's metadata): the caller asks again at its next poll.
    func recordsWritten(_ topic: String = "callback.lifecycle", partitions: Int) async throws -> Int64? {
        var arguments = ["-b", bootstrap, "-Q"]
        for partition in 0..<partitions { arguments += ["-t", "\(topic):\(partition):-1"] }
        let process = try ChildProcess(BrokerCommandTests.kcat, arguments)
        process.closeInput()
        guard try await process.waitForExit().status == 0 else { return nil }
        var offsets: [Int32: Int64] = [:]
        for line in process.stdout.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count == 4, words[2] == "offset",
                  let partition = Int32(words[1].dropFirst().dropLast()), let offset = Int64(words[3]) else { continue }
            offsets[partition] = offset
        }
        return offsets.count == partitions ? offsets.values.reduce(0, +) : nil
    }
}
