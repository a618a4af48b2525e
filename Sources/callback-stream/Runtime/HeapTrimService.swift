internal import CMalloc
import ServiceLifecycle

/// Gives the free memory inside glibc's heaps back to the kernel at a fixed interval, for
/// `callback-stream run`.
///
/// glibc keeps one arena per thread that found the others busy (about 15 in the processor:
/// the stream threads, the stats merge and librdkafka's threads) and returns a heap's memory to
/// the kernel only from its top. Memory freed in the middle — delivered outputs, drained fetch
/// ops, regrown session buffers — stays resident until reused, so after a catch-up the RSS stays
/// near its peak. `malloc_trim(0)` releases the free pages of every arena (JDK 21's
/// `-XX:TrimNativeHeapInterval` does the same for the JVM); the measured effect and cost are in
/// BENCHMARKS.md, "the shipped build".
struct HeapTrimService: Service {
    /// The processor's interval (end-to-end throughput with it is the same within the noise).
    static let processorInterval: Duration = .seconds(1)

    let interval: Duration
    /// What one trim does; `malloc_trim(0)` unless a test counts the calls.
    var trim: @Sendable () -> Void = { _ = callback_stream_malloc_trim() }

    /// Trims every `interval` until graceful shutdown or cancellation.
    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [interval, trim] in
                while true {
                    try await Task.sleep(for: interval)
                    trim()
                }
            }
        } catch is CancellationError {
            return  // graceful shutdown
        }
    }
}
