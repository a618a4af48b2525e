/// A fixed scenario for one interaction (for hand-checkable traffic): its sessions in order.
///
/// Every session but the last must close (a reopen is only generated after a `closed` event, so
/// that the truth does not depend on how interactions are spread over partitions).
public struct ScriptedInteraction: Sendable, Equatable, Codable {
    /// The sessions, first to last (at least one).
    public var sessions: [ScriptedSession]

    /// Creates a script.
    public init(_ sessions: [ScriptedSession]) {
        self.sessions = sessions
    }

    /// A single-session script.
    public static func single(_ outcome: ExpectedOutcome, closes: Bool = true) -> ScriptedInteraction {
        ScriptedInteraction([ScriptedSession(outcome, closes: closes)])
    }
}
