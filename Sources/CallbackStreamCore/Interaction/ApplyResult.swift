/// What ``InteractionState/apply(_:symbols:limits:)`` did with an event.
public enum ApplyResult: Equatable, Sendable {
    /// The event was new and is now part of the session. `outOfOrder` is true when its
    /// timestamp is earlier than that of an event applied before it.
    case applied(outOfOrder: Bool)
    /// The event was already applied (same `eventId`, or same `event` + `timestamp` when it has
    /// no `eventId`); only the `duplicate` anomaly was recorded.
    case duplicate
    /// Applying the event would exceed ``InteractionLimits``; the state is unchanged. The store
    /// should dead-letter the record as `too_large`.
    case limitExceeded
}
