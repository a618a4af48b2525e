/// Resource limits enforced by ``LifecycleEventDecoder``; exceeding one rejects the record
/// with ``RejectionCode/tooLarge``.
public struct DecoderLimits: Sendable, Equatable {
    /// Largest accepted record value in bytes (default 64 KiB).
    public var maxRecordBytes: Int
    /// Deepest accepted nesting of objects/arrays, the top-level object being depth 1 (default 32).
    public var maxDepth: Int
    /// Most entries accepted in each of `metadata.errors`, `metadata.form` and `attributes`
    /// (default 64).
    public var maxListEntries: Int

    /// Creates limits; values are clamped to sane minimums (1 KiB, depth 4, 1 entry).
    public init(maxRecordBytes: Int = 64 * 1024, maxDepth: Int = 32, maxListEntries: Int = 64) {
        self.maxRecordBytes = max(maxRecordBytes, 1024)
        self.maxDepth = max(maxDepth, 4)
        self.maxListEntries = max(maxListEntries, 1)
    }
}
