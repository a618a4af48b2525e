import CallbackTraffic
import Logging
import ServiceLifecycle

/// The demo's traffic generator as a ``ServiceLifecycle/Service``: produces until all its
/// interactions are out, or until graceful shutdown or cancellation stops it (the producing
/// thread cannot be interrupted, so both set its stop flag).
struct TrafficService: Service {
    let generator: TrafficGenerator
    let options: GeneratorRun.Options
    let logger: Logger
    let progress: GeneratorRun.Progress

    func run() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            _ = try await GeneratorRun.produce(generator: generator, options: options, logger: logger, progress: progress)
        } onCancelOrGracefulShutdown: { [progress] in
            progress.stop.store(true, ordering: .relaxed)
        }
    }
}
