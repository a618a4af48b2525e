import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// `callback-stream run` as a ``ServiceLifecycle/Service``: the poll loops (one per stream
/// thread) on their own threads, beside the HTTP server (``http``, a service of its own).
/// Graceful shutdown (SIGTERM/SIGINT through ``ProcessLifecycle``) stops polling, flushes,
/// commits and leaves the group; ``run()`` then returns and the process exits 0.
///
/// Run both with ``services``: the processor waits until the HTTP server listens before it
/// joins the group (a taken port fails the start at once), and is shut down before it.
///
/// Stream threads (`--stream-threads`, Kafka Streams' `num.stream.threads`) are independent
/// poll loops, each a member of the consumer group with its own librdkafka consumer and
/// producer: the group spreads the input partitions over them like over separate processes, so
/// nothing is shared between them but the metrics board and the HTTP server. If one fails, the
/// others are stopped cleanly and the process reports the first failure.
public final class ProcessorService: Service, Sendable {
    private let configuration: ProcessorConfiguration
    private let logger: Logger
    /// Where the loops publish their counters (also read by the demo's terminal view).
    public let board: MetricsBoard
    /// The HTTP server: `/metrics`, `/healthz`, `/readyz`, `/sessions/{id}`, the dashboard.
    public let http: ObservabilityServer
    private let onListening: (@Sendable (Int) -> Void)?
    private let queries: [SessionQueries]
    /// The loops, once ``run()`` has decided how many (``StreamThreadPlan``).
    private let loops = Mutex<[StreamThread]>([])
    private let stopRequested = Mutex(false)
    /// The second stage of the stats aggregation (its own consumer group).
    private let merge: StatsMergeThread
    private let mergeThread = KafkaThread(name: "cbs-stats-merge")
    /// Where ``run()`` asks the cluster for the input topic's partition count.
    private let probeThread = KafkaThread(name: "cbs-start")

    /// - Parameters:
    ///   - configuration: the resolved settings.
    ///   - logger: the process logger.
    ///   - portSetting: how a user changes the HTTP port (named when it is taken).
    ///   - onListening: told the HTTP port once the server listens, before the loops start.
    /// - Throws: when `metricsAddress` is not an IPv4 address.
    public init(
        configuration: ProcessorConfiguration, logger: Logger,
        portSetting: String = "--metrics-port or CALLBACK_STREAM_METRICS_PORT",
        onListening: (@Sendable (Int) -> Void)? = nil
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        // Slots for the most stream threads the plan can choose (it only ever lowers the CPU count).
        let slots = configuration.streamThreads ?? min(AvailableCPUs.detect().count, StreamThreadPlan.maximum)
        let board = MetricsBoard(slots: slots + 1)  // + the stats merge stage's slot
        let queries = (0..<slots).map { _ in SessionQueries() }
        self.board = board
        self.queries = queries
        http = try ObservabilityServer(
            address: configuration.metricsAddress, port: configuration.metricsPort, portSetting: portSetting,
            board: board, lookup: { id in await SessionQueries.lookup(id, in: queries) },
            overview: { snapshot, now in OverviewRenderer.render(snapshot, nowMs: now) },
            dashboardHTML: DashboardPage.html,
            nowMs: { SystemProcessorClock().wallMs() })
        merge = StatsMergeThread(configuration: configuration, logger: logger, board: board, slot: slots)
    }

    /// Decides how many stream threads to run: `--stream-threads`, or the available CPUs capped by
    /// the input topic's partition count, which it asks the cluster for (up to 10 s; unknown if
    /// that fails, and the loops then report why).
    private func plan() async -> StreamThreadPlan {
        let cpus = AvailableCPUs.detect()
        let capacity = queries.count
        var partitions: Int?
        var lookupFailure: String?
        if configuration.streamThreads == nil {
            let configuration = configuration
            let logger = logger
            do {
                partitions = try await probeThread.run {
                    let producer = try KafkaProducer(
                        configuration: try KafkaClientConfigurations.make(configuration).producer, logger: logger
                    ) { _ in }
                    return try producer.partitionCount(of: configuration.inputTopic, timeout: .seconds(10))
                }
            } catch {
                lookupFailure = "\(error)"
            }
        }
        probeThread.shutdown()
        var plan = StreamThreadPlan.choose(requested: configuration.streamThreads, cpus: cpus, inputPartitions: partitions)
        plan.count = min(plan.count, capacity)
        if let lookupFailure { plan.reason += " (\(lookupFailure))" }
        return plan
    }

    /// The loops of `plan`.
    private func makeLoops(_ count: Int) -> [StreamThread] {
        var resolved = configuration
        resolved.streamThreads = count
        let loopConfiguration = Self.loopConfiguration(resolved)
        return (0..<count).map { [board, queries, logger] index in
            var loopLogger = logger
            if count > 1 { loopLogger[metadataKey: "stream.thread"] = "\(index)" }
            return StreamThread(configuration: loopConfiguration, logger: loopLogger, board: board, slot: index, queries: queries[index])
        }
    }

    /// One stream thread's share of the process-wide settings: the open-session cap is split
    /// evenly (rounded up); the per-partition memory of closed sessions keeps the default that
    /// the whole cap gives.
    static func loopConfiguration(_ configuration: ProcessorConfiguration) -> ProcessorConfiguration {
        let threads = max(1, configuration.streamThreads ?? 1)
        guard threads > 1 else { return configuration }
        var share = configuration
        share.maxRememberedSessions = configuration.maxRememberedSessions ?? max(1_000, configuration.maxOpenSessions / 16)
        share.maxOpenSessions = (configuration.maxOpenSessions + threads - 1) / threads
        return share
    }

    /// Asks the processor to stop (from any thread or task).
    public func stop() {
        stopRequested.withLock { $0 = true }
        for loop in loops.withLock({ $0 }) { loop.requestStop() }
        merge.requestStop()
    }

    /// The HTTP server and the processor, for one ``ProcessLifecycle`` group: a clean stop of
    /// the processor shuts the server down; a failure of either cancels the other.
    public var services: [ServiceGroupConfiguration.ServiceConfiguration] {
        [
            .init(service: http, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup),
            .init(service: self, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup),
        ]
    }

    /// Runs until graceful shutdown, ``stop()`` or a failure.
    ///
    /// Waits for ``http`` to listen, then runs the loops. Cancellation (the shutdown bound of
    /// ``ProcessLifecycle`` passed, or the HTTP server failed) asks the loops to stop and stops
    /// waiting for them: they cannot be interrupted inside a flush.
    ///
    /// - Throws: ``ProcessorFailure`` with the reason when the processor failed,
    ///   ``HTTPListenError`` when the HTTP server cannot listen, ``ShutdownBoundExceeded`` when
    ///   cancelled before the loops finished.
    public func run() async throws {
        do {
            _ = try KafkaClientConfigurations.make(configuration)
        } catch {
            throw ProcessorFailure(reason: "invalid librdkafka property (-X): \(error)")
        }
        let port = try await http.listeningPort()
        logger.info("http server listening", metadata: ["http.address": "\(configuration.metricsAddress)", "http.port": "\(port)"])
        onListening?(port)

        // The loops run in a task of their own so that waiting for them can end on
        // cancellation even while a loop is stuck in a flush.
        let finished = OneShot<String?>()
        let loopsTask = Task { [self] in
            do {
                finished.resolve(.success(try await runLoops()))
            } catch {
                finished.resolve(.failure(error))
            }
            mergeThread.shutdown()
        }
        let failure = try await withGracefulShutdownHandler {
            do {
                return try await finished.value
            } catch is CancellationError {
                stop()
                loopsTask.cancel()
                throw ShutdownBoundExceeded(
                    work: "stopping the processor (flush, commit, leave the group)", bound: Self.shutdownBound(configuration),
                    stuck: stuckLoops())
            }
        } onGracefulShutdown: { [self] in
            logger.notice("graceful shutdown: stopping the poll loops (flush, commit, leave the group)")
            stop()
        }
        if let failure { throw ProcessorFailure(reason: failure) }
    }

    /// What the shutdown was still doing when its bound passed: each loop that had not stopped,
    /// with its step and how long it had been in it.
    private func stuckLoops() -> [String] {
        let now = ContinuousClock.now
        return (loops.withLock { $0 }.map(\.progress) + [merge.progress]).compactMap { $0.report(now: now) }
    }

    /// Time allowed past `--shutdown-timeout` before a graceful shutdown is cut short.
    public static let shutdownSlackMs: Int64 = 5_000

    /// The longest a graceful shutdown of `configuration`'s processor may take.
    public static func shutdownBound(_ configuration: ProcessorConfiguration) -> Duration {
        .milliseconds(configuration.shutdownTimeoutMs + shutdownSlackMs)
    }

    /// Runs every stream thread's loop and the stats merge stage; the first failure stops the
    /// others cleanly.
    private func runLoops() async throws -> String? {
        let plan = await plan()
        logger.info("stream threads", metadata: ["stream.threads": "\(plan.count)", "stream.threads.reason": "\(plan.reason)"])
        let loops = makeLoops(plan.count)
        let threads = (0..<plan.count).map { index in KafkaThread(name: plan.count > 1 ? "cbs-poll-\(index)" : "callback-stream-poll") }
        defer { for thread in threads { thread.shutdown() } }
        self.loops.withLock { $0 = loops }
        if stopRequested.withLock({ $0 }) { for loop in loops { loop.requestStop() } }
        return try await withThrowingTaskGroup(of: String?.self) { group in
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
    }
}

/// Why the processor stopped with an error (a permanent delivery failure, a missing topic, …).
public struct ProcessorFailure: Error, CustomStringConvertible {
    /// The reason, as the poll loop reported it.
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
