/// One entry of the store's slot array: an open session, a remembered closed one, or a free slot.
///
/// 40 bytes (stride). Its timer-heap position lives in `SessionIndex.timerPositions`. The key's
/// hash is not kept: the hash table stores it in the bucket, and removing a key recomputes it.
@usableFromInline
internal struct SessionSlot: Sendable {
    /// What a slot currently holds.
    @usableFromInline
    enum Status: UInt8, Sendable {
        case free
        /// Open; `time` is the deadline (last event time + timeout).
        case open
        /// Open with a reported `closed` event; `time` is the close time (the `closed` timestamp).
        case closing
        /// Closed and remembered; `time` is the close time.
        case remembered
    }

    /// The input offset of the record that opened the current (open) or last (remembered)
    /// session. A reopen hands the previous one to `SessionIndex.releases` (see there).
    var retainedOffset: Int64
    /// Open/closing: last event time + inactivity timeout (raised lazily, see `openTimers`);
    /// the deadline is `min(time, start + maximum duration)`. Remembered: the close time.
    var time: Int64
    /// The event time of the record that opened the current (or last) session: the maximum
    /// duration runs from it.
    var start: Int64
    /// Where the key bytes start in the key arena.
    var keyOffset: UInt32
    var sessionSeq: UInt32
    /// Open/closing: index of the state; free: next free slot (or -1).
    var payload: Int32
    var keyLength: UInt16
    var status: Status

    static let vacant = SessionSlot(
        retainedOffset: 0, time: 0, start: 0, keyOffset: 0, sessionSeq: 0,
        payload: -1, keyLength: 0, status: .free
    )

    var isOpen: Bool { status == .open || status == .closing }
}
