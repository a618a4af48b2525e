/// Everything needed to write one lifecycle event record value (CONTRACT.md §1) as JSON.
public struct TrafficEvent: Sendable, Equatable {
    public var interactionId: String
    public var event: TrafficEventName
    /// Writes `Callback.<event>` instead of `<event>`.
    public var prefixedName: Bool
    /// Event time, ms since the Unix epoch.
    public var timestampMs: Int64
    /// Idempotency key; the member is omitted when `nil`.
    public var eventId: String?
    /// The cumulative metadata block; omitted when `nil`.
    public var metadata: TrafficMetadata?
    /// `attributes`; omitted when `nil`.
    public var attributes: [TrafficField]?
    /// Member order, unknown members, whitespace.
    public var layout: TrafficEventLayout

    /// Creates an event description.
    public init(
        interactionId: String, event: TrafficEventName, prefixedName: Bool = false, timestampMs: Int64,
        eventId: String? = nil, metadata: TrafficMetadata? = TrafficMetadata(), attributes: [TrafficField]? = nil,
        layout: TrafficEventLayout = .canonical
    ) {
        self.interactionId = interactionId
        self.event = event
        self.prefixedName = prefixedName
        self.timestampMs = timestampMs
        self.eventId = eventId
        self.metadata = metadata
        self.attributes = attributes
        self.layout = layout
    }
}
