/// A named count in a stats or alert record (an outcome or an error code and how many sessions had it).
public struct StatsCount: Sendable, Hashable {
    /// The outcome label or error code.
    public var name: String
    /// Number of sessions.
    public var count: Int

    /// Creates a named count.
    public init(name: String, count: Int) {
        self.name = name
        self.count = count
    }
}
