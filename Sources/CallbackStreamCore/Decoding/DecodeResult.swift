/// The result of decoding one record: an event view, or the reason it goes to the dead-letter
/// topic.
public enum DecodeResult {
    /// A valid event (a view: see ``LifecycleEvent`` for its lifetime).
    case event(LifecycleEvent)
    /// The record is rejected.
    case rejected(Rejection)
}
