/// A close decided by the store and not yet drained by the caller (its state is still stored).
@usableFromInline
internal struct PendingSessionClose: Sendable {
    @usableFromInline var closeTime: Int64
    @usableFromInline var stateIndex: Int32
    @usableFromInline var sessionSeq: UInt32
    /// The key bytes in the arena (kept valid until drained, even if the slot is forgotten).
    @usableFromInline var keyOffset: UInt32
    @usableFromInline var keyLength: UInt16
    @usableFromInline var reason: SessionCloseReason
    @usableFromInline var earlyClose: SessionEarlyClose?
}
