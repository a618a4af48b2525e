/// A small integer standing for an interned byte string in a ``SymbolTable``.
///
/// Sessions hold `SymbolID`s (4 bytes) instead of strings for error codes, form field names
/// and attribute keys/values. An id is meaningful only together with the table that issued it.
public struct SymbolID: Hashable, Sendable {
    /// The table slot.
    public let rawValue: UInt32

    /// Wraps a raw table slot.
    @inlinable
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }
}
