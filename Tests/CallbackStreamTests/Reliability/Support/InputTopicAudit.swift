import CallbackTraffic
import Foundation

/// The input topic as the broker holds it, read back in full by an independent client (`kcat`)
/// and compared with what the generator says it produced.
///
/// It tells the two halves of a pipeline apart when a summary is wrong: if an event of the
/// session is not in the input topic although the generator reported every record delivered, the
/// *producer* side lost it; if it is there, the *processor* did. For post-mortems it lists every
/// record of chosen interactions (partition, offset, event time, event name, eventId).
struct InputTopicAudit: Sendable {
    /// One record of the input topic (valid traffic only: the value is an event's JSON).
    struct Record: Sendable {
        var partition: Int32
        var offset: Int64
        var key: String
        var event: String
        /// The event's `eventId`, or `-` for an event without one (the field is optional).
        var eventId: String
        var timestamp: String
        /// What makes the event distinct: its `eventId`, else its bytes (a duplicate repeats both).
        var identity: String
    }

    /// Every record read, in the order read (per partition: by offset).
    private(set) var records: [Record] = []
    /// Records whose value was not an event's JSON (none expected in valid traffic).
    private(set) var unreadable = 0
    /// Offset holes or retention losses seen while reading (must be empty to trust the counts).
    private(set) var holes: [String] = []

    /// Distinct events in the topic (by ``Record/identity``).
    var distinctEvents: Int { Set(records.map(\.identity)).count }

    /// Reads `topic` from its beginning up to its current end with a ``TopicTail``.
    static func read(_ pipeline: Pipeline, topic: String, partitions: Int) async throws -> InputTopicAudit {
        let collected = Locked(InputTopicAudit())
        let tail = try TopicTail(bootstrap: pipeline.bootstrap, topic: topic) { view in
            let record = Self.record(view)
            collected.withLock { audit in
                if let record { audit.records.append(record) } else { audit.unreadable += 1 }
            }
        }
        defer { tail.stop() }
        try await tail.catchUp(pipeline, partitions: partitions)
        var audit = collected.withLock { $0 }
        audit.holes = tail.holes
        return audit
    }

    private static func record(_ view: KcatRecordParser.View) -> Record? {
        guard let key = view.key, let value = view.value,
              let json = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
              let event = json["event"] as? String
        else { return nil }
        let timestamp = json["timestamp"].map { "\($0)" } ?? "-"
        let eventId = json["eventId"] as? String
        return Record(partition: view.partition, offset: view.offset, key: String(decoding: key, as: UTF8.self),
                      event: event, eventId: eventId ?? "-",
                      timestamp: timestamp, identity: eventId ?? String(decoding: value, as: UTF8.self))
    }

    /// Records of `interactionId`, by partition and offset.
    func records(of interactionId: String) -> [Record] {
        records.filter { $0.key == interactionId }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    /// The totals compared with the generator's truth: records produced vs records in the topic,
    /// distinct events generated vs distinct events in the topic.
    func totals(produced: Int, uniqueEvents: Int) -> String {
        let repeated = records.count - distinctEvents
        return "input topic: \(records.count) records (generator produced \(produced)); \(distinctEvents) distinct events "
            + "(generator produced \(uniqueEvents), so \(uniqueEvents - distinctEvents) missing); \(repeated) records repeat an event; "
            + "\(unreadable) unreadable; holes \(holes)"
    }

    /// For each interaction of the summaries in `summaryIds` (`<interactionId>:<seq>:<ms>`): the
    /// truth's sessions and every input record of the interaction.
    func postMortem(summaryIds: [String], sessions: [ExpectedSession], census: SummaryCensus, limit: Int = 20) -> String {
        var lines: [String] = []
        var seen = Set<String>()
        for summaryId in summaryIds {
            let interaction = String(summaryId.prefix { $0 != ":" })
            guard seen.insert(interaction).inserted else { continue }
            guard seen.count <= limit else { break }
            lines.append("interaction \(interaction):")
            for session in sessions where session.interactionId == interaction {
                lines.append("  truth \(session.summaryId): events \(session.events.map(\.rawValue)), records \(session.records), "
                    + "duplicates \(session.duplicates), delayed \(session.delayedEvents), out of order \(session.outOfOrderEvents)")
                if let value = census.values[session.summaryId] {
                    lines.append("  published: \(String(decoding: value, as: UTF8.self).prefix(300))")
                }
            }
            let records = records(of: interaction)
            lines.append("  input records (\(records.count)):")
            for record in records {
                lines.append("    partition \(record.partition) offset \(record.offset) \(record.timestamp) \(record.event) \(record.eventId)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
