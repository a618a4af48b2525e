/// The outcome the processor must give a session: the furthest lifecycle stage it reached.
///
/// `completed` if completed; `failed` if submitted with non-empty errors and not completed;
/// `submittedUnconfirmed` if submitted with neither; `abandonedForm` if started but not submitted;
/// `cancelledBeforeStart` if opened but not started; `notOpened` if never opened (counted only).
public enum ExpectedOutcome: String, Sendable, Codable, CaseIterable {
    case completed
    case failed
    case abandonedForm
    case cancelledBeforeStart
    case submittedUnconfirmed
    case notOpened

    /// Whether the processor publishes a summary for this outcome by default (`notOpened` is only counted).
    public var isPublishedByDefault: Bool { self != .notOpened }

    /// Whether a session with this outcome has a `submitted` event.
    var submits: Bool {
        switch self {
        case .completed, .failed, .submittedUnconfirmed: true
        case .abandonedForm, .cancelledBeforeStart, .notOpened: false
        }
    }
}
