/// One Kafka record to produce: key (the interaction id, UTF-8), value (the event JSON) and record timestamp.
public struct GeneratedRecord: Sendable, Equatable {
    /// Record key: the interaction id in UTF-8 (producers partition by it).
    public var key: [UInt8]
    /// Record value: one JSON object.
    public var value: [UInt8]
    /// Record timestamp in ms since the epoch (the event's `timestamp`).
    public var timestampMs: Int64

    /// Creates a record.
    public init(key: [UInt8], value: [UInt8], timestampMs: Int64) {
        self.key = key
        self.value = value
        self.timestampMs = timestampMs
    }
}
