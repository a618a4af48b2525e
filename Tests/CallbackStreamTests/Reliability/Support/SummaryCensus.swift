import CallbackTraffic
import Foundation

/// Every summary read from the summaries topic, by `summaryId` (its record header), with the
/// bytes of its first copy; later copies are counted as duplicates and compared byte for byte.
struct SummaryCensus: Sendable {
    private(set) var records = 0
    private(set) var values: [String: [UInt8]] = [:]
    private(set) var duplicates = 0
    private(set) var nonIdenticalDuplicates: [String] = []
    private(set) var withoutHeader = 0
    /// Where each copy of each summary is (`partition@offset`), for post-mortems of duplicates.
    private(set) var positions: [String: [String]] = [:]

    /// Adds one record read from the topic.
    mutating func add(_ record: KcatRecordParser.View) {
        records += 1
        if let id = record.header("summaryId") { positions[id, default: []].append("\(record.partition)@\(record.offset)") }
        guard let id = record.header("summaryId"), let value = record.value else {
            withoutHeader += 1
            return
        }
        if let first = values[id] {
            duplicates += 1
            if !first.elementsEqual(value) { nonIdenticalDuplicates.append(id) }
        } else {
            values[id] = Array(value)
        }
    }

    /// Whether every id of `expected` was seen.
    func contains(all expected: Set<String>) -> Bool {
        expected.allSatisfy { values[$0] != nil }
    }
}

/// The census compared with the ground truth: lost, invented, differing and duplicated summaries.
struct TruthVerdict: Sendable {
    var expected = 0
    /// Expected summaryIds never published.
    var lost: [String] = []
    /// Published summaryIds the truth does not have.
    var invented: [String] = []
    /// Published summaries whose content differs from the truth (with the first difference).
    var mismatched: [String] = []
    var duplicates = 0
    var nonIdenticalDuplicates: [String] = []
    var withoutHeader = 0

    init(census: SummaryCensus, sessions: [ExpectedSession]) {
        let published = sessions.filter(\.isPublishedByDefault)
        expected = published.count
        let byID = Dictionary(published.map { ($0.summaryId, $0) }, uniquingKeysWith: { first, _ in first })
        lost = byID.keys.filter { census.values[$0] == nil }.sorted()
        invented = census.values.keys.filter { byID[$0] == nil }.sorted()
        for (id, value) in census.values {
            guard let session = byID[id] else { continue }
            if let difference = Self.difference(value, session) { mismatched.append("\(id): \(difference)") }
        }
        mismatched.sort()
        duplicates = census.duplicates
        nonIdenticalDuplicates = census.nonIdenticalDuplicates
        withoutHeader = census.withoutHeader
    }

    /// What went wrong, record by record (where each odd summary is and what it says), for logs.
    func postMortem(_ census: SummaryCensus, limit: Int = 30) -> String {
        var lines: [String] = []
        for id in (invented + mismatched.map { String($0.prefix { $0 != " " }.dropLast()) } + nonIdenticalDuplicates).prefix(limit) {
            let value = census.values[id].map { String(decoding: $0, as: UTF8.self) } ?? "-"
            lines.append("\(id) at \(census.positions[id] ?? []): \(value.prefix(400))")
        }
        return lines.joined(separator: "\n")
    }

    /// Exactly the truth: nothing lost, invented or different; duplicates only byte-identical.
    var exact: Bool {
        lost.isEmpty && invented.isEmpty && mismatched.isEmpty && nonIdenticalDuplicates.isEmpty && withoutHeader == 0
    }

    /// The first field of the summary that differs from the expected session, or `nil`.
    static func difference(_ value: [UInt8], _ session: ExpectedSession) -> String? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any] else {
            return "not a JSON object"
        }
        func int(_ key: String) -> Int64?? {
            if json[key] is NSNull { return .some(nil) }
            return (json[key] as? NSNumber).map { .some($0.int64Value) } ?? .none
        }
        let checks: [(String, Bool)] = [
            ("summaryId", json["summaryId"] as? String == session.summaryId),
            ("interactionId", json["interactionId"] as? String == session.interactionId),
            ("sessionSeq", json["sessionSeq"] as? Int == session.sessionSeq),
            ("outcome", json["outcome"] as? String == session.outcome.rawValue),
            ("closeReason", json["closeReason"] as? String == session.closeReason.rawValue),
            ("events", json["events"] as? [String] == session.events.map(\.rawValue)),
            ("proactive", json["proactive"] as? Bool == session.proactive),
            ("prefilled", json["prefilled"] as? Bool == session.prefilled),
            ("autoSubmitted", json["autoSubmitted"] as? Bool == session.autoSubmitted),
            // The contract sorts the distinct codes bytewise; the truth lists them as sent.
            ("errors", json["errors"] as? [String] == Array(Set(session.errors)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }),
            ("formFields", json["formFields"] as? [String] == session.formFields),
            ("attributes", json["attributes"] as? [String: String] == session.attributes),
            ("elapsedMs", int("elapsedMs") == .some(session.elapsedMs)),
            ("timeToStartMs", int("timeToStartMs") == .some(session.timeToStartMs)),
            ("timeToSubmitMs", int("timeToSubmitMs") == .some(session.timeToSubmitMs)),
            ("openDurationMs", int("openDurationMs") == .some(session.openDurationMs)),
        ]
        for (field, equal) in checks where !equal {
            return "\(field) is \(json[field].map { "\($0)" } ?? "absent")"
        }
        return nil
    }
}

/// Follows the summaries topic and keeps a ``SummaryCensus`` of it.
final class SummaryWatch: Sendable {
    let tail: TopicTail
    private let census: Locked<SummaryCensus>

    init(_ pipeline: Pipeline, topic: String = "callback.summaries") throws {
        let census = Locked(SummaryCensus())
        self.census = census
        tail = try TopicTail(bootstrap: pipeline.bootstrap, topic: topic) { record in
            census.withLock { $0.add(record) }
        }
    }

    /// A copy of the census so far.
    var snapshot: SummaryCensus { census.withLock { $0 } }
    /// Distinct summaries so far.
    var distinct: Int { census.withLock { $0.values.count } }

    /// Waits until at least `count` distinct summaries were read.
    func wait(forAtLeast count: Int, timeout: Duration = .seconds(120)) async throws {
        try await tail.wait(for: "\(count) summaries", timeout: timeout) { distinct >= count }
    }

    /// Waits until every published session of `sessions` has its summary, then returns the verdict.
    func verdict(for sessions: [ExpectedSession], timeout: Duration) async throws -> TruthVerdict {
        let expected = Set(sessions.filter(\.isPublishedByDefault).map(\.summaryId))
        do {
            try await tail.wait(for: "\(expected.count) expected summaries", timeout: timeout) {
                census.withLock { $0.contains(all: expected) }
            }
        } catch let error as ChildProcess.DeadlineExceeded {
            // Report what is missing instead of only a timeout.
            print("reliability: \(error.description)")
        }
        return TruthVerdict(census: snapshot, sessions: sessions)
    }

    func stop() {
        tail.stop()
    }
}
