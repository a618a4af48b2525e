/// The furthest stage a session reached (contract §3), decided from the events seen:
///
/// | outcome | rule |
/// |---|---|
/// | `completed` | a `completed` event was seen |
/// | `failed` | `submitted` seen, no `completed`, and at least one error code |
/// | `submittedUnconfirmed` | `submitted` seen, no `completed`, no error codes |
/// | `abandonedForm` | `started` seen, but neither `submitted` nor `completed` |
/// | `cancelledBeforeStart` | `opened` or `cancelled` seen, none of the above |
/// | `notOpened` | only `ready` and/or `closed` |
///
/// A later stage implies the earlier ones were reached even when their events are missing
/// (missing ones are reported as the `invalidTransition` anomaly instead).
public enum Outcome: String, CaseIterable, Sendable {
    case completed
    case failed
    case abandonedForm
    case cancelledBeforeStart
    case submittedUnconfirmed
    case notOpened

    /// The wire name.
    public var wireName: StaticString {
        switch self {
        case .completed: "completed"
        case .failed: "failed"
        case .abandonedForm: "abandonedForm"
        case .cancelledBeforeStart: "cancelledBeforeStart"
        case .submittedUnconfirmed: "submittedUnconfirmed"
        case .notOpened: "notOpened"
        }
    }
}
