/// One session of a scripted interaction: which outcome it reaches and whether it ends with `closed`.
public struct ScriptedSession: Sendable, Equatable, Codable {
    /// The outcome the session reaches.
    public var outcome: ExpectedOutcome
    /// `true`: ends with a `closed` event; `false`: stops sending and must time out.
    public var closes: Bool

    /// Creates a scripted session.
    public init(_ outcome: ExpectedOutcome, closes: Bool = true) {
        self.outcome = outcome
        self.closes = closes
    }
}
