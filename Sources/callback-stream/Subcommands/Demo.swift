import ArgumentParser
import CallbackStreamService
import CallbackTraffic
import Foundation
import Kafka
import Logging
import ServiceLifecycle

extension CallbackStream {
    /// `callback-stream demo`: the whole pipeline on an in-process embedded broker, with a live view.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the whole pipeline on an embedded broker with generated traffic and a live view.",
            discussion: """
                No setup needed: starts librdkafka's mock cluster in this process, creates the topics, \
                generates realistic Callback traffic at a watchable rate (event time = now), runs the \
                processor against it, and shows progress, events/s, open sessions, outcomes, dead letters, \
                alerts and a sample summary on the terminal. The live dashboard and /metrics are served on \
                --port. Short timeouts make abandoned sessions visible within seconds. Ctrl-C stops cleanly.
                """)

        @Option(help: "How long to run (e.g. 60s, 5m); 0 runs until Ctrl-C.")
        var duration = "0"

        @Option(help: "Generated events per second.")
        var rate: Double = 300

        @Option(help: "Port of the dashboard, /metrics and /sessions/{id} (0 picks a free port).")
        var port = 9464

        @Option(help: "Address the HTTP server binds to.")
        var address = "127.0.0.1"

        @Option(help: "Seed of the traffic generator.")
        var seed: UInt64 = 1

        @Option(name: .customLong("inactivity-timeout"), help: "Inactivity timeout of sessions (short, so abandoned sessions show up quickly).")
        var inactivityTimeout = "20s"

        @Option(help: "Length of the stats/alerts windows.")
        var window = "10s"

        @Flag(help: "Print one status line per second instead of redrawing the screen.")
        var plain = false

        func run() async throws {
            guard let durationMs = DurationParser.milliseconds(duration) else { throw ValidationError("--duration '\(duration)' is not a duration") }
            guard let timeoutMs = DurationParser.milliseconds(inactivityTimeout), timeoutMs >= 3_000 else {
                throw ValidationError("--inactivity-timeout must be a duration of at least 3s")
            }
            guard let windowMs = DurationParser.milliseconds(window), windowMs > 0 else { throw ValidationError("--window '\(window)' is not a duration") }
            guard rate > 0 else { throw ValidationError("--rate must be > 0") }

            LoggingSetup.bootstrap(format: .text, level: .error)
            let logger = Logger(label: "callback-stream.demo")

            let cluster = try MockCluster(brokers: 1, logger: logger)
            let partitions = 8
            for topic in Broker.defaultTopics {
                try cluster.createTopic(topic, partitions: partitions)
            }

            var configuration = ProcessorConfiguration()
            configuration.bootstrapServers = cluster.bootstrapServers
            configuration.inactivityTimeoutMs = timeoutMs
            configuration.allowedLatenessMs = 2_000
            configuration.idleAdvanceAfterMs = 3_000
            configuration.windowMs = windowMs
            configuration.alertMinVolume = 5
            configuration.metricsAddress = address
            configuration.metricsPort = port
            configuration.commitIntervalMs = 500
            configuration.librdkafka = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]
            let view = LiveView(redraw: !plain && isatty(STDOUT_FILENO) == 1, rate: rate, startedAt: Date())
            let processor = try ProcessorService(configuration: configuration, logger: logger, portSetting: "--port") { [address] port in
                view.announce(port: port, address: address)
            }

            // Event time follows the wall clock: interactions start `spacing` apart, about 5 events each.
            let spacingMs = max(1, Int64(5_000 / rate))
            let interactions = durationMs > 0 ? Int(Double(durationMs) * rate / 5_000) + 1 : 10_000_000
            var traffic = TrafficConfiguration(
                seed: seed, interactions: interactions, startTimeMs: Int64(Date().timeIntervalSince1970 * 1000),
                spanMs: Int64(interactions) * spacingMs, inactivityTimeoutMs: timeoutMs, allowedLatenessMs: 2_000)
            traffic.profile.duplicateRate = 0.01
            traffic.profile.outOfOrderRate = 0.02
            let generator = try TrafficGenerator(configuration: traffic)
            let progress = GeneratorRun.Progress()
            let producing = TrafficService(
                generator: generator,
                options: .init(bootstrapServers: cluster.bootstrapServers, topic: "callback.lifecycle", rate: rate,
                               malformed: max(1, interactions / 40), seed: seed, startTimeMs: traffic.startTimeMs, librdkafka: [],
                               paceByEventTime: true),
                logger: logger, progress: progress)
            let viewing = LiveViewService(
                view: view, board: processor.board, progress: progress, duration: durationMs > 0 ? .milliseconds(durationMs) : nil)

            // Shut down in reverse order: the view, the generator, the processor (flush, commit),
            // its HTTP server, the broker. The view ending (--duration) or the processor stopping
            // by itself ends the demo; the generator running out of traffic does not.
            let services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                .init(service: EmbeddedBrokerService(cluster: cluster, logger: logger),
                      successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup),
            ] + processor.services + [
                .init(service: producing, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore),
                .init(service: viewing, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup),
            ]
            var failure: (any Error)?
            do {
                try await ProcessLifecycle.run(services, shutdownBound: ProcessorService.shutdownBound(configuration), logger: logger)
            } catch {
                failure = error
            }
            if let listen = failure as? HTTPListenError {
                throw listen  // nothing ran: no final view
            }
            view.finish(processor.board.snapshot, produced: progress.produced.load(ordering: .relaxed))
            if let failure {
                throw ValidationError("the processor failed: \(failure)")
            }
        }
    }
}
