/// The low (oldest available) and high (next to be written) offsets of a partition.
public struct WatermarkOffsets: Sendable, Hashable {
    /// The oldest offset still stored in the partition.
    public let low: Int64
    /// The offset the next record will get (log end offset).
    public let high: Int64

    /// Creates watermarks.
    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }
}
