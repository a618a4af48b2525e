/// A record header to produce: a name and an optional binary value.
public struct KafkaHeader: Sendable, Hashable {
    /// The header name (UTF-8, no NUL bytes: librdkafka takes it as a C string).
    public var name: String
    /// The value bytes, or `nil` for a null header value.
    public var value: [UInt8]?

    /// A header with a binary value.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header with a UTF-8 string value.
    public init(name: String, value: String) {
        self.name = name
        self.value = Array(value.utf8)
    }
}
