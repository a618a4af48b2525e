/// What a committed offset says about the outputs already published, stored in the commit's
/// metadata string so that a replay rebuilds state without publishing again.
///
/// Format: `cs1 e=<emittedThrough> w=<watermarkMs>`. Every output caused by input offsets
/// `≤ emittedThrough` was acknowledged by the broker; `watermark` is the partition's watermark
/// just before the record after `emittedThrough` was processed.
public struct CommitMetadata: Sendable, Equatable {
    /// Highest input offset whose outputs are all acknowledged (−1: none).
    public var emittedThrough: Int64
    /// The partition watermark (ms since epoch) at that point, `Int64.min` when unknown.
    public var watermark: Int64

    public init(emittedThrough: Int64, watermark: Int64) {
        self.emittedThrough = emittedThrough
        self.watermark = watermark
    }

    public var encoded: String {
        "cs1 e=\(emittedThrough) w=\(watermark)"
    }

    /// Parses metadata written by ``encoded``; anything else (empty, another tool's) gives `nil`.
    public init?(parsing text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 3, parts[0] == "cs1",
              parts[1].hasPrefix("e="), let e = Int64(parts[1].dropFirst(2)),
              parts[2].hasPrefix("w="), let w = Int64(parts[2].dropFirst(2))
        else { return nil }
        self.init(emittedThrough: e, watermark: w)
    }
}
