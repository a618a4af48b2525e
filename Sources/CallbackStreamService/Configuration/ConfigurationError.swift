/// A configuration problem found at start-up, naming the setting as the user wrote it.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The setting's flag name without dashes, e.g. `inactivity-timeout`.
    public var setting: String
    /// Where the bad value came from: `flag`, `environment variable CALLBACK_STREAM_…`, or `config file …`.
    public var source: String
    public var message: String

    public init(setting: String, source: String, message: String) {
        self.setting = setting
        self.source = source
        self.message = message
    }

    public var description: String {
        "invalid --\(setting) (from \(source)): \(message)"
    }
}
