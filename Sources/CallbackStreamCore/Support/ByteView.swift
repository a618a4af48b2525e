/// A borrowed run of bytes (usually UTF-8 text) inside memory owned by someone else.
///
/// Decoded events are made of `ByteView`s that point into the record's key/value buffers or
/// into the decoder's scratch space. A view is valid only while that memory is: for decoder
/// output, until the next `decode` call on the same decoder and while the input buffers live.
/// Copy what you need to keep (``string``, ``array``) or intern it in a ``SymbolTable``.
public struct ByteView {
    /// The viewed bytes.
    public let bytes: UnsafeRawBufferPointer

    /// Views `bytes` without copying.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// An empty view.
    @inlinable
    public static var empty: ByteView { ByteView(UnsafeRawBufferPointer(start: nil, count: 0)) }

    /// Number of bytes.
    @inlinable
    public var count: Int { bytes.count }

    /// Whether the view has no bytes.
    @inlinable
    public var isEmpty: Bool { bytes.isEmpty }

    /// A copy of the bytes as a `String` (invalid UTF-8 is repaired). Allocates: not for the hot path.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// A copy of the bytes as an array. Allocates: not for the hot path.
    public var array: [UInt8] { Array(bytes) }

    /// Whether the view holds exactly these bytes.
    @inlinable
    @inline(__always)
    public func elementsEqual(_ other: UnsafeRawBufferPointer) -> Bool {
        ByteComparison.equal(bytes, other)
    }

    /// Whether the view holds exactly the UTF-8 bytes of `text` (inlined: compared as constants).
    @inlinable
    @inline(__always)
    public func elementsEqual(_ text: StaticString) -> Bool {
        ByteComparison.equal(bytes, text)
    }
}
