/// A value that can lend its bytes as a key or value to
/// ``KafkaProducer/produce(topic:partition:key:value:headers:timestamp:opaque:)`` without
/// copying them (librdkafka copies them itself while producing).
///
/// `String` (its UTF-8), `Substring`, `[UInt8]`, `ArraySlice<UInt8>` and `ContiguousArray<UInt8>`
/// conform.
public protocol KafkaBytes {
    /// Calls `body` with the bytes, valid only during the call.
    func withKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R
}

extension String: KafkaBytes {
    public func withKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var copy = self  // no copy of the storage: withUTF8 only makes non-native strings contiguous
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}

extension Substring: KafkaBytes {
    public func withKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var copy = self
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}

extension Array: KafkaBytes where Element == UInt8 {
    public func withKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(body)
    }
}

extension ArraySlice: KafkaBytes where Element == UInt8 {
    public func withKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(body)
    }
}

extension ContiguousArray: KafkaBytes where Element == UInt8 {
    public func withKafkaBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(body)
    }
}
