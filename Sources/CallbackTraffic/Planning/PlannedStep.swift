/// One lifecycle event of a planned session, with how it is written and how late it is delivered.
struct PlannedStep {
    var event: TrafficEventName
    var timestampMs: Int64
    var eventId: String?
    var prefixedName: Bool
    var attributesPresent: Bool
    var layout: TrafficEventLayout
    /// Delivery delay of the original record (event-time ms, < allowed lateness).
    var delayMs: Int64
    /// Extra delay of the duplicate after the original, when the event is re-sent.
    var duplicateExtraMs: Int64?
}
