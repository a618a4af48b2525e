/// The seven Callback lifecycle events, in lifecycle order
/// (`ready → opened → [started] → [submitted] → cancelled|completed → closed`).
///
/// The raw value is the event's ordinal; it breaks timestamp ties when ordering a session's
/// events and orders the `timestamps` object of a summary.
public enum LifecycleEventName: UInt8, CaseIterable, Sendable, Comparable {
    case ready = 0
    case opened = 1
    case started = 2
    case submitted = 3
    case cancelled = 4
    case completed = 5
    case closed = 6

    /// The name as it appears on the wire (without the optional `Callback.` prefix).
    public var name: StaticString {
        switch self {
        case .ready: "ready"
        case .opened: "opened"
        case .started: "started"
        case .submitted: "submitted"
        case .cancelled: "cancelled"
        case .completed: "completed"
        case .closed: "closed"
        }
    }

    /// The lifecycle stage used for transition checks: `cancelled` and `completed` share a stage
    /// (they are alternative endings).
    public var stage: Int {
        switch self {
        case .ready: 0
        case .opened: 1
        case .started: 2
        case .submitted: 3
        case .cancelled, .completed: 4
        case .closed: 5
        }
    }

    /// The bit of this name in a set of names.
    @inlinable
    var bit: UInt8 { 1 << rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a wire name, accepting the `Callback.` prefix (`Callback.opened`). (Inlined: the
    /// decoder calls it once per event.)
    @inlinable
    @inline(__always)
    public init?(bytes: UnsafeRawBufferPointer) {
        var b = bytes
        if b.count > 9, ByteComparison.equal(UnsafeRawBufferPointer(rebasing: b[0..<9]), "Callback.") {
            b = UnsafeRawBufferPointer(rebasing: b[9...])
        }
        switch b.count {
        case 5 where ByteComparison.equal(b, "ready"): self = .ready
        case 6 where ByteComparison.equal(b, "opened"): self = .opened
        case 6 where ByteComparison.equal(b, "closed"): self = .closed
        case 7 where ByteComparison.equal(b, "started"): self = .started
        case 9 where ByteComparison.equal(b, "submitted"): self = .submitted
        case 9 where ByteComparison.equal(b, "cancelled"): self = .cancelled
        case 9 where ByteComparison.equal(b, "completed"): self = .completed
        default: return nil
        }
    }
}
