/// What ``SessionStore/route(interactionId:eventTime:offset:arrivedAt:makeState:)`` did with an event.
public enum SessionRoute: Sendable, Hashable {
    /// The event belongs to a session that was already open; apply it to the state behind the handle.
    case existing(SessionHandle, sessionSeq: UInt32)
    /// The event opened a new session (`sessionSeq` 1, or the closed session's + 1 on a reopen);
    /// its state was created by `makeState` — apply the event to it as well.
    case opened(SessionHandle, sessionSeq: UInt32)
    /// The event is at or before the close time of the interaction's remembered closed session:
    /// dead-letter it with code `late_event`. Nothing was changed except the watermark.
    case late(closedAt: Int64, sessionSeq: UInt32)
    /// The interaction id is empty or longer than ``SessionStore/maximumKeyLength`` bytes
    /// (or the key storage is full); nothing was stored.
    case rejected
}
