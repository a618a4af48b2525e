import CallbackStreamCore
@testable import CallbackStreamService

/// Drives one ``StreamTask`` without a broker (like Kafka Streams' TopologyTestDriver): pipes
/// JSON records at consecutive offsets and keeps what the task published, with each output's
/// cause as a producer would claim it.
struct StreamTaskDriver {
    struct Published: Equatable {
        var kind: String
        var key: String
        var value: String
        var cause: Int64
        /// A progress marker routed as an input partition's first: to every partials partition.
        var reachesEveryMerger = false
    }

    let task: StreamTask
    private(set) var published: [Published] = []
    private(set) var nextOffset: Int64

    init(partition: Int32 = 0, startOffset: Int64 = 0, committed: CommitMetadata? = nil, configuration: TopologyConfiguration = .init()) {
        task = StreamTask(partition: partition, generation: 1, configuration: configuration, startOffset: startOffset, committed: committed)
        nextOffset = startOffset
    }

    /// Processes one record at the next offset; returns whether it ended the replay.
    @discardableResult
    mutating func pipe(_ json: String, key: String? = nil, arrivalMs: Int64 = 0) -> Bool {
        let offset = nextOffset
        nextOffset += 1
        let keyBytes = Array((key ?? Self.interactionId(json) ?? "").utf8)
        let valueBytes = Array(json.utf8)
        var outputs: [Published] = []
        let task = self.task
        let finished = keyBytes.withUnsafeBytes { k in
            valueBytes.withUnsafeBytes { v in
                task.process(key: k, value: v, offset: offset, recordTimestampMs: nil, arrivalMs: arrivalMs) { output in
                    outputs.append(Self.record(output, cause: task.outputProduced()))
                }
            }
        }
        published += outputs
        return finished
    }

    /// A lifecycle event's JSON.
    static func event(_ id: String, _ name: String, at timestamp: Int64) -> String {
        #"{"interactionId":"\#(id)","event":"\#(name)","timestamp":\#(timestamp)}"#
    }

    static func interactionId(_ json: String) -> String? {
        guard let range = json.range(of: #""interactionId":""#) else { return nil }
        let rest = json[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func record(_ output: TopologyOutput, cause: Int64) -> Published {
        let kind: String
        var everywhere = false
        switch output.info {
        case .summary: kind = "summary"
        case .deadLetter: kind = "deadLetter"
        case .partial: kind = "partial"
        case let .progress(_, since, _):
            kind = "progress"
            everywhere = since == nil
        }
        let key = output.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return Published(
            kind: kind, key: key, value: String(decoding: output.value, as: UTF8.self), cause: cause, reachesEveryMerger: everywhere)
    }

    var summaries: [Published] { published.filter { $0.kind == "summary" } }

    /// Acknowledges every published output `which` selects (as the broker would).
    func acknowledge(where which: (Published) -> Bool) {
        for output in published where which(output) { task.acknowledged(cause: output.cause) }
    }
}
