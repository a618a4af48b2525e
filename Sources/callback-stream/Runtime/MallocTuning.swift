internal import CMalloc

/// glibc malloc settings for the long-running processor.
///
/// librdkafka keeps each fetch response in one buffer (up to `fetch.max.bytes`) until the last
/// record in it is consumed. glibc serves such buffers with their own mapping only until the
/// first one is freed; then it raises its mmap threshold (up to 32 MiB) and carves later ones out
/// of its heaps, which do not shrink from the middle: the peak RSS grows by tens of MB at full
/// speed (BENCHMARKS.md, "End to end", memory). A fixed threshold of 1 MiB keeps the large
/// buffers in mappings that are returned to the kernel when freed, for a few page faults per
/// fetch; smaller allocations (sessions, outputs) stay on the heaps. (mallopt(3): setting
/// `M_MMAP_THRESHOLD` also turns off the dynamic adjustment.)
enum MallocTuning {
    static let processorMmapThreshold: Int32 = 1 << 20

    /// The threshold to set, or `nil` when the environment already sets one for glibc
    /// (`MALLOC_MMAP_THRESHOLD_`, or `glibc.malloc.mmap_threshold` in `GLIBC_TUNABLES`).
    static func mmapThreshold(environment: [String: String]) -> Int32? {
        if environment["MALLOC_MMAP_THRESHOLD_"] != nil { return nil }
        if let tunables = environment["GLIBC_TUNABLES"], tunables.contains("glibc.malloc.mmap_threshold") { return nil }
        return processorMmapThreshold
    }

    /// Applies ``mmapThreshold(environment:)`` to this process (call once, early).
    /// - Returns: whether glibc accepted a threshold.
    @discardableResult
    static func applyForProcessor(environment: [String: String]) -> Bool {
        guard let threshold = mmapThreshold(environment: environment) else { return false }
        return callback_stream_set_mmap_threshold(threshold) == 1
    }
}
