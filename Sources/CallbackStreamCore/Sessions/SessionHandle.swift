/// A reference to one open session's state inside a ``SessionStore``.
///
/// Valid until the store's next mutating call other than `withState(_:_:)`; do not keep it.
public struct SessionHandle: Hashable, Sendable {
    @usableFromInline internal let slot: Int32
    @usableFromInline internal let stateIndex: Int32

    @inlinable
    internal init(slot: Int32, stateIndex: Int32) {
        self.slot = slot
        self.stateIndex = stateIndex
    }
}
