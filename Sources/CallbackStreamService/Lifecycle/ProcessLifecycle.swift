import Logging
import ServiceLifecycle
import UnixSignals

/// The one place where `callback-stream`'s commands (`run`, `broker`, `demo`) handle SIGTERM and
/// SIGINT: their parts run as ``ServiceLifecycle/Service``s in one `ServiceGroup`, and a signal
/// starts a graceful shutdown that goes through the services in reverse order (the last one
/// listed stops first, each after the one listed after it has finished).
///
/// The graceful shutdown is bounded: when it has not finished after `shutdownBound`, the group
/// cancels the services that are still running; a service that cannot finish its work on
/// cancellation (the processor's poll loops) then throws ``ShutdownBoundExceeded`` and the
/// command exits non-zero after one clear log line, instead of hanging with a stuck flush.
public enum ProcessLifecycle {
    /// The signals that start a graceful shutdown.
    public static let shutdownSignals: [UnixSignal] = [.sigterm, .sigint]

    /// How long cancelled services get to return before the process is ended by a fatal error:
    /// a last resort against a service that ignores cancellation.
    public static let cancellationBound: Duration = .seconds(5)

    /// Runs `services` until they have finished.
    ///
    /// - Parameters:
    ///   - services: the parts of the command, in start order; shut down in reverse order.
    ///   - handleSignals: when `true`, SIGTERM and SIGINT start the graceful shutdown (tests that
    ///     run services in-process pass `false` and call `ServiceGroup.triggerGracefulShutdown()`).
    ///   - shutdownBound: the longest a graceful shutdown may take; `nil`: unbounded.
    ///   - logger: where the bound being passed is reported.
    /// - Throws: the first error a service threw, or ``ShutdownBoundExceeded`` when the bound passed.
    public static func run(
        _ services: [ServiceGroupConfiguration.ServiceConfiguration], handleSignals: Bool = true,
        shutdownBound: Duration?, logger: Logger
    ) async throws {
        try await makeGroup(services, handleSignals: handleSignals, shutdownBound: shutdownBound, logger: logger).run()
    }

    /// The service group ``run(_:handleSignals:shutdownBound:logger:)`` runs, for callers that
    /// need to trigger its graceful shutdown themselves.
    public static func makeGroup(
        _ services: [ServiceGroupConfiguration.ServiceConfiguration], handleSignals: Bool = true,
        shutdownBound: Duration?, logger: Logger
    ) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: handleSignals ? shutdownSignals : [], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownBound
        configuration.maximumCancellationDuration = cancellationBound
        return ServiceGroup(configuration: configuration)
    }
}

/// Thrown by a service whose graceful shutdown was cut short by the shutdown bound
/// (``ProcessLifecycle``): its work was abandoned unfinished.
public struct ShutdownBoundExceeded: Error, CustomStringConvertible {
    /// What was abandoned, e.g. "flushing and committing".
    public var work: String
    /// The bound that passed.
    public var bound: Duration
    /// What was still running when it passed, one entry per part (e.g. "the poll loop:
    /// committing offsets for 6.0 s").
    public var stuck: [String]

    public init(work: String, bound: Duration, stuck: [String] = []) {
        self.work = work
        self.bound = bound
        self.stuck = stuck
    }

    public var description: String {
        let text = "\(work) did not finish within the shutdown bound (\(bound)); exiting without finishing it"
        return stuck.isEmpty ? text : text + "; still stopping: " + stuck.joined(separator: "; ")
    }
}
