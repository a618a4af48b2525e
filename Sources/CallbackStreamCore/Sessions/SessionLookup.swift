/// What the store knows about one interaction id (for the live HTTP view).
public enum SessionLookup: Sendable, Hashable {
    /// A session is open; read its state with `store[handle]`.
    case open(SessionHandle, sessionSeq: UInt32)
    /// The latest session is closed and still remembered (late-event detection, reopen numbering).
    case closed(sessionSeq: UInt32, closedAt: Int64)
}
