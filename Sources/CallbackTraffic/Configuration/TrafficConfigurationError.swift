/// Why a `TrafficConfiguration` or `TrafficProfile` cannot generate traffic with a trustworthy truth.
public enum TrafficConfigurationError: Error, Equatable, CustomStringConvertible {
    /// A value out of range; the text says which and why.
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid traffic configuration: \(reason)"
        }
    }
}
