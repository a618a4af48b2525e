/// How a session ended (the summary's `closeReason`).
public enum CloseReason: String, CaseIterable, Sendable {
    /// A `closed` event ended it.
    case closed
    /// No event arrived for the inactivity timeout of event time (or the session was evicted).
    case inactivityTimeout
    /// The session reached the maximum session duration (contract §2).
    case maxDuration

    /// The wire name.
    public var wireName: StaticString {
        switch self {
        case .closed: "closed"
        case .inactivityTimeout: "inactivityTimeout"
        case .maxDuration: "maxDuration"
        }
    }
}
