import ArgumentParser
import CallbackStreamService
import Foundation
import Logging
import ServiceLifecycle

extension CallbackStream {
    /// `callback-stream run`: the long-running processor.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the processor: consume lifecycle events, publish summaries, stats, alerts and dead letters.",
            discussion: """
                Joins the consumer group, keeps one in-memory session per interaction per input partition, \
                and publishes one summary per session when it ends (a 'closed' event, or the inactivity \
                timeout in event time), windowed stats, error-spike alerts, and dead letters for bad records. \
                Offsets are committed only up to the oldest record still needed by an open session and only \
                after every output before it was acknowledged: nothing is lost across crashes and restarts, \
                and replayed summaries are byte-identical (same summaryId). SIGTERM/SIGINT flush, commit and \
                exit 0 (exit 2 if that takes longer than --shutdown-timeout + 5s). Every option can also be set through its environment variable or a --config file \
                (flags > environment > file > defaults).
                """)

        @OptionGroup var options: RunOptions

        func run() async throws {
            let configuration: ProcessorConfiguration
            do {
                configuration = try options.resolve(environment: ProcessInfo.processInfo.environment)
            } catch let error as ConfigurationError {
                throw ValidationError(error.description)
            }
            MallocTuning.applyForProcessor(environment: ProcessInfo.processInfo.environment)
            LoggingSetup.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
            let logger = Logger(label: "callback-stream")
            let service = try ProcessorService(configuration: configuration, logger: logger)
            do {
                // Listed first, so that it stops last; its ending (it does only on shutdown) stops nothing.
                let heapTrim = ServiceGroupConfiguration.ServiceConfiguration(
                    service: HeapTrimService(interval: HeapTrimService.processorInterval),
                    successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore)
                try await ProcessLifecycle.run(
                    [heapTrim] + service.services, shutdownBound: ProcessorService.shutdownBound(configuration), logger: logger)
            } catch let exceeded as ShutdownBoundExceeded {
                logger.critical("shutdown did not finish within the bound; exiting", metadata: [
                    "reason": "\(exceeded)", "shutdown.timeout": "\(DurationParser.render(configuration.shutdownTimeoutMs))",
                ])
                throw ExitCode(2)
            } catch {
                logger.critical("processor stopped with an error", metadata: ["reason": "\(error)"])
                throw ExitCode(1)
            }
        }
    }
}
