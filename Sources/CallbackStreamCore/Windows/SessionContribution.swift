/// What one closed session adds to the window statistics (built by the processor from its summary).
public struct SessionContribution: Sendable, Hashable {
    /// Event time that picks the window: the session's close time (``ClosedSession/closeTime``).
    public var closeTime: Int64
    /// The session's `attributes.tenant`, or `nil`.
    public var tenant: String?
    /// Index of the session's outcome in ``WindowConfiguration/outcomeLabels``.
    public var outcome: Int
    /// Whether the session reached `submitted`.
    public var submitted: Bool
    /// The distinct error codes the session saw (empty when none).
    public var errorCodes: [String]
    /// The summary's `elapsedMs`, if any.
    public var elapsedMilliseconds: Int64?
    /// How the session ended.
    public var closeReason: SessionCloseReason
    /// Whether it was cut short.
    public var earlyClose: SessionEarlyClose?

    /// Creates a contribution.
    public init(
        closeTime: Int64, tenant: String?, outcome: Int, submitted: Bool, errorCodes: [String],
        elapsedMilliseconds: Int64?, closeReason: SessionCloseReason, earlyClose: SessionEarlyClose? = nil
    ) {
        self.closeTime = closeTime
        self.tenant = tenant
        self.outcome = outcome
        self.submitted = submitted
        self.errorCodes = errorCodes
        self.elapsedMilliseconds = elapsedMilliseconds
        self.closeReason = closeReason
        self.earlyClose = earlyClose
    }
}
