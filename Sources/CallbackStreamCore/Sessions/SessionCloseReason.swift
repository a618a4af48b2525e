/// Why a session ended, in the contract's terms (the summary's `closeReason`).
public enum SessionCloseReason: UInt8, Sendable, Hashable, CaseIterable {
    /// A `closed` event ended the session (see ``SessionStoreConfiguration/ClosedEventPolicy``).
    case closed
    /// The watermark reached the session's last event time + the inactivity timeout.
    case inactivityTimeout
    /// The session reached the maximum session duration: the watermark reached its first event
    /// time + the maximum duration first, or an event at or after that time arrived (that event
    /// then opens the next session).
    case maxDuration

    /// The contract's spelling: `"closed"`, `"inactivityTimeout"` or `"maxDuration"`.
    public var label: String {
        switch self {
        case .closed: "closed"
        case .inactivityTimeout: "inactivityTimeout"
        case .maxDuration: "maxDuration"
        }
    }
}
