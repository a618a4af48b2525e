import Dispatch
import Foundation
import Kafka
import Logging

/// `callback-stream run` as a service: the poll loops (one per stream thread) on their own
/// threads, the HTTP server, and SIGTERM/SIGINT handling (stop polling → flush → commit →
/// leave the group → exit 0).
///
/// Stream threads (`--stream-threads`, Kafka Streams' `num.stream.threads`) are independent
/// poll loops, each a member of the consumer group with its own librdkafka consumer and
/// producer: the group spreads the input partitions over them like over separate processes, so
/// nothing is shared between them but the metrics board and the HTTP server. If one fails, the
/// others are stopped cleanly and the process reports the first failure.
public final class ProcessorService: Sendable {
    private let configuration: ProcessorConfiguration
    private let logger: Logger
    /// Where the loops publish their counters (also read by the demo's terminal view).
    public let board: MetricsBoard
    private let queries: [SessionQueries]
    private let loops: [StreamThread]
    /// The second stage of the stats aggregation (its own consumer group).
    private let merge: StatsMergeThread
    private let threads: [KafkaThread]
    private let mergeThread = KafkaThread(name: "cbs-stats-merge")

    public init(configuration: ProcessorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let count = max(1, configuration.streamThreads)
        let loopConfiguration = Self.loopConfiguration(configuration)
        board = MetricsBoard(slots: count + 1)  // + the stats merge stage's slot
        queries = (0..<count).map { _ in SessionQueries() }
        loops = (0..<count).map { [board, queries] index in
            var loopLogger = logger
            if count > 1 { loopLogger[metadataKey: "stream.thread"] = "\(index)" }
            return StreamThread(configuration: loopConfiguration, logger: loopLogger, board: board, slot: index, queries: queries[index])
        }
        merge = StatsMergeThread(configuration: configuration, logger: logger, board: board, slot: count)
        threads = (0..<count).map { index in KafkaThread(name: count > 1 ? "cbs-poll-\(index)" : "callback-stream-poll") }
    }

    /// One stream thread's share of the process-wide settings: the open-session cap is split
    /// evenly (rounded up); the per-partition memory of closed sessions keeps the default that
    /// the whole cap gives.
    static func loopConfiguration(_ configuration: ProcessorConfiguration) -> ProcessorConfiguration {
        let threads = max(1, configuration.streamThreads)
        guard threads > 1 else { return configuration }
        var share = configuration
        share.maxRememberedSessions = configuration.maxRememberedSessions ?? max(1_000, configuration.maxOpenSessions / 16)
        share.maxOpenSessions = (configuration.maxOpenSessions + threads - 1) / threads
        return share
    }

    /// Asks the processor to stop (from any thread or task).
    public func stop() {
        for loop in loops { loop.requestStop() }
        merge.requestStop()
    }

    /// Runs until stopped or failed.
    ///
    /// - Parameters:
    ///   - handleSignals: install SIGTERM/SIGINT handlers that call ``stop()``.
    ///   - onListening: told the HTTP port once the server listens.
    /// - Returns: `nil` after a clean stop, else the reason the processor failed.
    public func run(handleSignals: Bool = true, onListening: (@Sendable (Int) -> Void)? = nil) async throws -> String? {
        do {
            _ = try KafkaClientConfigurations.make(configuration)
        } catch {
            return "invalid librdkafka property (-X): \(error)"
        }
        let queries = self.queries
        let server = try ObservabilityServer(
            address: configuration.metricsAddress, port: configuration.metricsPort,
            board: board, lookup: { id in await SessionQueries.lookup(id, in: queries) },
            overview: { snapshot, now in OverviewRenderer.render(snapshot, nowMs: now) },
            dashboardHTML: DashboardPage.html,
            nowMs: { SystemProcessorClock().wallMs() })
        let serverTask = Task { try await server.run() }
        let port = try await server.listeningPort()
        logger.info("http server listening", metadata: ["http.address": "\(configuration.metricsAddress)", "http.port": "\(port)"])
        onListening?(port)

        var signalSources: [any DispatchSourceSignal] = []
        if handleSignals {
            for signalNumber in [SIGTERM, SIGINT] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { [self] in
                    logger.notice("signal received: stopping", metadata: ["signal": "\(signalNumber)"])
                    stop()
                    // The shutdown bound: if flushing and committing hang, do not hang with them.
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(configuration.shutdownTimeoutMs) + 5_000)) { [logger] in
                        logger.critical("shutdown did not finish within the bound; exiting")
                        exit(2)
                    }
                }
                source.resume()
                signalSources.append(source)
            }
        }
        let failure = try await withThrowingTaskGroup(of: String?.self) { group in
            for (loop, thread) in zip(loops, threads) {
                group.addTask { [self] in
                    let failure = try await thread.run { loop.run() }
                    if failure != nil { stop() }  // one thread failed: stop the others cleanly
                    return failure
                }
            }
            group.addTask { [self, merge, mergeThread] in
                let failure = try await mergeThread.run { merge.run() }
                if failure != nil { stop() }
                return failure
            }
            var first: String?
            for try await failure in group where first == nil {
                first = failure
            }
            return first
        }
        for source in signalSources { source.cancel() }
        await server.stop()
        serverTask.cancel()
        for thread in threads { thread.shutdown() }
        mergeThread.shutdown()
        return failure
    }
}
