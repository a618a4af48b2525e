/// The summary the processor must publish (or, for `notOpened`, count) for one generated session.
///
/// Field meanings follow CONTRACT.md §3. Delivery statistics (`records`, `duplicates`,
/// `delayedEvents`, `outOfOrderEvents`) describe what the generator did to this session's records.
public struct ExpectedSession: Sendable, Equatable, Codable {
    /// `"<interactionId>:<sessionSeq>:<firstEventTimestampMs>"`.
    public var summaryId: String
    public var interactionId: String
    /// 1 for an interaction's first session, 2, 3, … after reopening.
    public var sessionSeq: Int
    public var outcome: ExpectedOutcome
    public var closeReason: ExpectedCloseReason
    /// Event names in timestamp order, duplicates removed, without the `Callback.` prefix.
    public var events: [TrafficEventName]
    public var timestamps: ExpectedTimestamps
    /// Timestamp of the session's earliest event (it is also the first of its records delivered).
    public var firstEventTimestampMs: Int64
    /// Timestamp of the session's latest event.
    public var lastEventTimestampMs: Int64
    public var proactive: Bool
    public var prefilled: Bool
    public var autoSubmitted: Bool
    /// Error codes in the order of the `errors` array (empty when none).
    public var errors: [String]
    /// Whether the errors were written as `{"code": …}` objects (`false`: strings).
    public var errorsAsObjects: Bool
    /// Submitted form field names, in document order (which is also sorted order).
    public var formFields: [String]
    /// The merged `attributes` of the session's events.
    public var attributes: [String: String]
    /// `attributes.tenant`.
    public var tenant: String?
    /// `metadata.elapsed` if given, else started → cancelled/completed.
    public var elapsedMs: Int64?
    /// opened → started.
    public var timeToStartMs: Int64?
    /// started → submitted.
    public var timeToSubmitMs: Int64?
    /// opened → closed.
    public var openDurationMs: Int64?
    /// Records delivered for the session (events plus duplicates).
    public var records: Int
    /// Duplicate records (same bytes, same `eventId` if any).
    public var duplicates: Int
    /// Originals delivered late (by less than the allowed lateness).
    public var delayedEvents: Int
    /// Originals delivered after a later-timestamped record of this same session.
    public var outOfOrderEvents: Int

    /// Whether the processor publishes it by default (every outcome but `notOpened`).
    public var isPublishedByDefault: Bool { outcome.isPublishedByDefault }
}
