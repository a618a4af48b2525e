import Dispatch
import Foundation
import Kafka
import Logging

/// `callback-stream run` as a service: the poll loop on its own thread, the HTTP server, and
/// SIGTERM/SIGINT handling (stop polling → flush → commit → leave the group → exit 0).
public final class ProcessorService: Sendable {
    private let configuration: ProcessorConfiguration
    private let logger: Logger
    /// Where the loop publishes its counters (also read by the demo's terminal view).
    public let board = MetricsBoard()
    private let queries = SessionQueries()
    private let loop: ProcessorLoop
    private let thread = KafkaThread(name: "callback-stream-poll")

    public init(configuration: ProcessorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.loop = ProcessorLoop(configuration: configuration, logger: logger, board: board, queries: queries)
    }

    /// Asks the processor to stop (from any thread or task).
    public func stop() {
        loop.requestStop()
    }

    /// Runs until stopped or failed.
    ///
    /// - Parameters:
    ///   - handleSignals: install SIGTERM/SIGINT handlers that call ``stop()``.
    ///   - onListening: told the HTTP port once the server listens.
    /// - Returns: `nil` after a clean stop, else the reason the processor failed.
    public func run(handleSignals: Bool = true, onListening: (@Sendable (Int) -> Void)? = nil) async throws -> String? {
        do {
            _ = try ProcessorLoop.clientConfigurations(configuration)
        } catch {
            return "invalid librdkafka property (-X): \(error)"
        }
        let server = try ObservabilityServer(
            address: configuration.metricsAddress, port: configuration.metricsPort,
            board: board, queries: queries,
            overview: { snapshot, now in OverviewRenderer.render(snapshot, nowMs: now) },
            dashboardHTML: DashboardPage.html,
            nowMs: { ProcessorLoop.wallClockMs() })
        let serverTask = Task { try await server.run() }
        let port = try await server.listeningPort()
        logger.info("http server listening", metadata: ["http.address": "\(configuration.metricsAddress)", "http.port": "\(port)"])
        onListening?(port)

        var signalSources: [any DispatchSourceSignal] = []
        if handleSignals {
            for signalNumber in [SIGTERM, SIGINT] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { [loop, logger, configuration] in
                    logger.notice("signal received: stopping", metadata: ["signal": "\(signalNumber)"])
                    loop.requestStop()
                    // The shutdown bound: if flushing and committing hang, do not hang with them.
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(configuration.shutdownTimeoutMs) + 5_000)) {
                        logger.critical("shutdown did not finish within the bound; exiting")
                        exit(2)
                    }
                }
                source.resume()
                signalSources.append(source)
            }
        }
        let loop = self.loop
        let failure = try await thread.run { loop.run() }
        for source in signalSources { source.cancel() }
        await server.stop()
        serverTask.cancel()
        thread.shutdown()
        return failure
    }
}
