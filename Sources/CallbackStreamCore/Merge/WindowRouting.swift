/// Where the processor sends partials and progress markers on the partials topic (pure functions).
///
/// - A **partial** goes to partition ``partialsPartition(windowStart:partialsPartitionCount:)``:
///   every partial of one window — of every input partition and tenant — lands on the same
///   partials partition, so one ``WindowMerger`` sees all of them.
/// - A **progress marker** goes to **every** partials partition
///   (``progressPartitions(partialsPartitionCount:)``; it is about 100 bytes), because every
///   merger needs to know how far each input partition is complete.
///
/// The ordering guarantee the merger relies on: one input partition's partials and markers are
/// produced by one producer, in emission order, with an idempotent producer (or at most one
/// request in flight), so on each partials partition a marker follows the partials it covers.
public enum WindowRouting {
    /// Seed of the window hash (any fixed value; changing it moves windows between partitions,
    /// which is harmless only when the partials topic is empty).
    public static let seed: UInt64 = 0x7061_7274_6961_6C73  // "partials"

    /// The partials partition of the window starting at `windowStart`:
    /// `StableHash(windowStart) % partialsPartitionCount` (0 when the count is below 1).
    public static func partialsPartition(windowStart: Int64, partialsPartitionCount: Int32) -> Int32 {
        guard partialsPartitionCount > 1 else { return 0 }
        let hash = StableHash.hash(UInt64(bitPattern: windowStart), 0, seed: seed)
        return Int32(truncatingIfNeeded: hash % UInt64(partialsPartitionCount))
    }

    /// The partials partitions a progress marker goes to: all of them.
    public static func progressPartitions(partialsPartitionCount: Int32) -> Range<Int32> {
        0 ..< max(1, partialsPartitionCount)
    }
}
