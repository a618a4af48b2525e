/// A decoded list of name/value pairs (e.g. `attributes`, `metadata.form`), stored in the
/// decoder's reusable scratch storage. Names are unique within one list (a repeated name keeps
/// its last value). Valid as long as the ``LifecycleEvent`` it belongs to.
public struct ByteViewPairList: RandomAccessCollection {
    @usableFromInline let base: UnsafePointer<ByteView>?
    /// Number of pairs.
    public let count: Int

    @inlinable
    init(base: UnsafePointer<ByteView>?, count: Int) {
        self.base = base
        self.count = count
    }

    /// An empty list.
    public static var empty: ByteViewPairList { ByteViewPairList(base: nil, count: 0) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inlinable
    public subscript(position: Int) -> (name: ByteView, value: ByteView) {
        precondition(position >= 0 && position < count, "ByteViewPairList index out of range")
        let p = base.unsafelyUnwrapped + 2 * position
        return (p[0], p[1])
    }

    /// The value of the pair called `name`, if any.
    public func value(forName name: StaticString) -> ByteView? {
        for pair in self where pair.name.elementsEqual(name) { return pair.value }
        return nil
    }
}
