/// How the processor must see a session end: on its `closed` event or after the inactivity timeout.
public enum ExpectedCloseReason: String, Sendable, Codable, CaseIterable {
    case closed
    case inactivityTimeout
}
