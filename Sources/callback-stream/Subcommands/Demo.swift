import ArgumentParser
import CallbackStreamService
import CallbackTraffic
import Dispatch
import Foundation
import Kafka
import Logging

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
            let service = ProcessorService(configuration: configuration, logger: logger)

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

            let view = LiveView(redraw: !plain && isatty(STDOUT_FILENO) == 1, rate: rate, startedAt: Date())
            let stopping = StopSignal()
            stopping.install { service.stop(); progress.stop.store(true, ordering: .relaxed) }

            let processor = Task {
                defer { stopping.trigger() }  // a processor that stops by itself ends the demo
                return try await service.run(handleSignals: false) { port in view.announce(port: port, address: address) }
            }
            let producing = Task {
                try await GeneratorRun.produce(
                    generator: generator,
                    options: .init(bootstrapServers: cluster.bootstrapServers, topic: "callback.lifecycle", rate: rate,
                                   malformed: max(1, interactions / 40), seed: seed, startTimeMs: traffic.startTimeMs, librdkafka: [],
                                   paceByEventTime: true),
                    logger: logger, progress: progress)
            }

            let clock = ContinuousClock()
            let deadline = durationMs > 0 ? clock.now + .milliseconds(durationMs) : nil
            // The dashboard's address comes first; then the live view.
            let listening = clock.now + .seconds(30)
            while !view.isAnnounced, !stopping.isStopped, clock.now < listening {
                try? await Task.sleep(for: .milliseconds(50))
            }
            while !stopping.isStopped {
                if let deadline, clock.now >= deadline { break }
                view.render(service.board.snapshot, produced: progress.produced.load(ordering: .relaxed))
                try? await Task.sleep(for: .seconds(1))  // the view's refresh period
            }
            progress.stop.store(true, ordering: .relaxed)
            service.stop()
            _ = try? await producing.value
            let failure = try await processor.value
            view.finish(service.board.snapshot, produced: progress.produced.load(ordering: .relaxed))
            if let failure {
                throw ValidationError("the processor failed: \(failure)")
            }
        }
    }
}

/// SIGINT/SIGTERM for the demo: tells the pipeline to stop once.
final class StopSignal: @unchecked Sendable {
    // @unchecked Sendable: `sources` is written only by `install`, called once before any signal
    // can arrive; `stopped` is atomic.
    private let stopped = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []

    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// Marks the demo as stopping without a signal.
    func trigger() {
        stopped.store(true, ordering: .relaxed)
    }

    func install(_ onStop: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                if !stopped.exchange(true, ordering: .relaxed) { onStop() }
            }
            source.resume()
            sources.append(source)
        }
    }
}

import Synchronization
