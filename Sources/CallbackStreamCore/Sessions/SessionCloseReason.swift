/// Why a session ended, in the contract's terms (the summary's `closeReason`).
public enum SessionCloseReason: UInt8, Sendable, Hashable, CaseIterable {
    /// A `closed` event ended the session (see ``SessionStoreConfiguration/ClosedEventPolicy``).
    case closed
    /// The watermark reached the session's last event time + the inactivity timeout.
    case inactivityTimeout

    /// The contract's spelling: `"closed"` or `"inactivityTimeout"`.
    public var label: String {
        switch self {
        case .closed: "closed"
        case .inactivityTimeout: "inactivityTimeout"
        }
    }
}
