/// The Callback "Interaction Lifecycle" event names, in lifecycle order (the seed's list).
public enum TrafficEventName: String, Sendable, Codable, CaseIterable, Comparable {
    case ready
    case opened
    case started
    case submitted
    case cancelled
    case completed
    case closed

    /// Position in the lifecycle (`ready` is 0).
    public var lifecycleIndex: Int {
        switch self {
        case .ready: 0
        case .opened: 1
        case .started: 2
        case .submitted: 3
        case .cancelled: 4
        case .completed: 5
        case .closed: 6
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.lifecycleIndex < rhs.lifecycleIndex
    }
}
