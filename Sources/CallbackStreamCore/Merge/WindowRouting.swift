/// Where the processor sends partials and progress markers on the partials topic (pure functions).
///
/// - A **partial** goes to partition ``partialsPartition(windowStart:partialsPartitionCount:)``:
///   every partial of one window — of every input partition and tenant — lands on the same
///   partials partition, so one ``WindowMerger`` sees all of them.
/// - A **progress marker** ("complete through T") goes to the partials partitions of the windows
///   it newly reports complete — those starting between the previous marker's T and this one's
///   (``forEachProgressPartition(since:through:windowSize:partialsPartitionCount:_:)``) — and the
///   first marker of an input partition to every partials partition. The merger of partition `k`
///   only merges the windows routed to `k`, so it needs an input partition's progress only once
///   that partition has passed one of them: every window routed to `k` is covered there by a
///   marker of every input partition, right after that input partition's partials of it. (Sending
///   every marker to every partition would cost input partitions × partials partitions records
///   per window: 16,384 per minute for 128 × 128.)
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

    /// Every partials partition: where the first marker of an input partition goes.
    public static func progressPartitions(partialsPartitionCount: Int32) -> Range<Int32> {
        0 ..< max(1, partialsPartitionCount)
    }

    /// Calls `body` once for each partials partition a progress marker must reach: the
    /// partitions of the windows of `windowSize` ms starting in `since ..< completeThrough` (the
    /// windows it newly reports complete), in increasing order; every partition when `since` is
    /// `nil` (the input partition's first marker) or when those windows are at least as many as
    /// the partitions.
    public static func forEachProgressPartition(
        since: Int64?, through completeThrough: Int64, windowSize: Int64, partialsPartitionCount: Int32, _ body: (Int32) -> Void
    ) {
        let count = max(1, partialsPartitionCount)
        let size = max(1, windowSize)
        guard let since else { return progressPartitions(partialsPartitionCount: count).forEach(body) }
        guard since < completeThrough else { return }
        // `since` and `completeThrough` are window starts (multiples of the size).
        let (span, overflow) = completeThrough.subtractingReportingOverflow(since)
        guard !overflow, span / size < Int64(count) else { return progressPartitions(partialsPartitionCount: count).forEach(body) }
        let windows = Int((span + size - 1) / size)
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: Int(count)) { reached in
            reached.initialize(repeating: false)
            for index in 0 ..< windows {
                reached[Int(partialsPartition(windowStart: since &+ Int64(index) &* size, partialsPartitionCount: count))] = true
            }
            for partition in 0 ..< Int(count) where reached[partition] { body(Int32(partition)) }
        }
    }
}
