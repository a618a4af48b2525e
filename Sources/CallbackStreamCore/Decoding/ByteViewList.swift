/// A decoded list of strings (e.g. `metadata.errors` codes), stored in the decoder's reusable
/// scratch storage. Valid as long as the ``LifecycleEvent`` it belongs to.
public struct ByteViewList: RandomAccessCollection {
    @usableFromInline let base: UnsafePointer<ByteView>?
    /// Number of entries.
    public let count: Int

    @inlinable
    init(base: UnsafePointer<ByteView>?, count: Int) {
        self.base = base
        self.count = count
    }

    /// An empty list.
    public static var empty: ByteViewList { ByteViewList(base: nil, count: 0) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inlinable
    public subscript(position: Int) -> ByteView {
        precondition(position >= 0 && position < count, "ByteViewList index out of range")
        return base.unsafelyUnwrapped[position]
    }
}
