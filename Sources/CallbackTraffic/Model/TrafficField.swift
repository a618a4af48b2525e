/// One name/value string pair of a JSON object the generator writes (`attributes`, `form`), kept in order.
public struct TrafficField: Sendable, Equatable, Codable {
    /// The JSON member name.
    public var name: String
    /// The JSON string value.
    public var value: String

    /// Creates a pair.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
