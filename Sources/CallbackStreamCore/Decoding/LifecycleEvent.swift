/// One decoded lifecycle event: a zero-copy view into the record and the decoder's scratch.
///
/// Strings are ``ByteView``s into the record's value buffer (or the decoder's scratch buffer
/// for strings that contained escapes). The event is valid only while the record buffers are
/// alive and until the next `decode` call on the decoder that produced it.
public struct LifecycleEvent {
    /// The interaction id (1–256 characters, equal to the record key).
    public var interactionId: ByteView
    /// The lifecycle event.
    public var name: LifecycleEventName
    /// Event time in ms since the epoch (0 … 2^53−1).
    public var timestamp: Int64
    /// The idempotency key, if given.
    public var eventId: ByteView?
    /// The metadata block, if given.
    public var metadata: EventMetadata?
    /// Context attributes (string → string); empty when absent.
    public var attributes: ByteViewPairList

    /// Creates an event view (normally done by ``LifecycleEventDecoder``).
    public init(
        interactionId: ByteView,
        name: LifecycleEventName,
        timestamp: Int64,
        eventId: ByteView? = nil,
        metadata: EventMetadata? = nil,
        attributes: ByteViewPairList = .empty
    ) {
        self.interactionId = interactionId
        self.name = name
        self.timestamp = min(max(timestamp, 0), LifecycleEvent.maxTimestamp)
        self.eventId = eventId
        self.metadata = metadata
        self.attributes = attributes
    }

    /// Largest accepted timestamp: 2^53−1, the largest integer every JSON consumer represents
    /// exactly.
    public static let maxTimestamp: Int64 = 9_007_199_254_740_991
}
