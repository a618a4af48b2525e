import ArgumentParser
import CallbackStreamService
import CallbackTraffic
import Foundation
import Kafka
import Logging

extension CallbackStream {
    /// `callback-stream generate`: realistic, deterministic lifecycle traffic into a topic.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Produce realistic Callback lifecycle traffic (deterministic for a seed) and its ground truth.",
            discussion: """
                Generates interleaved interactions: the seed's three scenarios, failed submissions with \
                error codes, sessions that never close (they end by inactivity timeout), interactions \
                that never open, reopened interactions, proactive/prefilled/auto-submitted flags, \
                tenants in attributes, duplicates and out-of-order delivery within the allowed lateness. \
                The same --seed always yields the same records. Pass the processor's \
                --inactivity-timeout and --allowed-lateness so the truth matches what it will compute. \
                The ground truth (expected sessions per outcome and close reason, and with \
                --truth-sessions every expected summaryId) goes to --truth FILE as JSON; a text \
                report goes to stderr.
                """)

        @Option(name: .customLong("bootstrap-servers"), help: "Kafka bootstrap servers. [env: CALLBACK_STREAM_BOOTSTRAP_SERVERS]")
        var bootstrapServers: String?

        @Option(help: "Topic to produce to.")
        var topic = "callback.lifecycle"

        @Option(help: "Number of interactions to generate (each has one or more sessions).")
        var interactions: Int

        @Option(help: "Events per second; 0 produces as fast as possible.")
        var rate: Double = 0

        @Option(help: "Seed of the deterministic generator.")
        var seed: UInt64 = 1

        @Option(name: .customLong("start-time"), help: "Event time of the first interaction, ms since epoch, or 'now'. (default: 2026-01-01T00:00:00Z)")
        var startTime: String?

        @Option(name: .customLong("inactivity-timeout"), help: "The processor's inactivity timeout (steps of a session stay well below it).")
        var inactivityTimeout = "30m"

        @Option(name: .customLong("allowed-lateness"), help: "The processor's allowed lateness (out-of-order delivery stays within it).")
        var allowedLateness = "5s"

        @Option(name: .customLong("interaction-spacing"), help: "Event time between the starts of consecutive interactions.")
        var interactionSpacing = "50ms"

        @Option(name: .customLong("duplicate-rate"), help: "Share of events re-sent as duplicates.")
        var duplicateRate: Double?

        @Option(name: .customLong("out-of-order-rate"), help: "Share of events delivered out of order.")
        var outOfOrderRate: Double?

        @Option(help: "Also produce this many malformed records of every kind (they belong in the dead-letter topic).")
        var malformed = 0

        @Option(help: "Comma-separated tenants for attributes.tenant; the first is the most frequent (weights 1, 1/2, 1/3, …). (default: acme,globex,initech,umbrella,hooli)")
        var tenants: String?

        @Option(help: "Write the ground truth as JSON to this file.")
        var truth: String?

        @Flag(name: .customLong("truth-sessions"), help: "Include every expected session (summaryId, outcome, events…) in the truth file.")
        var truthSessions = false

        @Option(name: .customShort("X"), help: ArgumentHelp("librdkafka producer property key=value (repeatable).", valueName: "key=value"))
        var librdkafka: [String] = []

        func validate() throws {
            guard interactions >= 0 else { throw ValidationError("--interactions must be ≥ 0") }
            guard rate >= 0 else { throw ValidationError("--rate must be ≥ 0") }
            guard malformed >= 0 else { throw ValidationError("--malformed must be ≥ 0") }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            guard let servers = bootstrapServers ?? environment["CALLBACK_STREAM_BOOTSTRAP_SERVERS"] else {
                throw ValidationError("--bootstrap-servers is required (or CALLBACK_STREAM_BOOTSTRAP_SERVERS)")
            }
            let traffic = try trafficConfiguration()
            let generator = try TrafficGenerator(configuration: traffic)
            var logger = Logger(label: "callback-stream.generate")
            // librdkafka's debug contexts (`-X debug=eos,msg`) are logged at debug level: show them when asked for.
            logger.logLevel = librdkafka.contains { $0.hasPrefix("debug=") } ? .debug : .warning

            let options = GeneratorRun.Options(
                bootstrapServers: servers, topic: topic, rate: rate, malformed: malformed, seed: seed,
                startTimeMs: traffic.startTimeMs, librdkafka: librdkafka)
            let result = try await GeneratorRun.produce(generator: generator, options: options, logger: logger)
            FileHandle.standardError.write(Data("produced \(result.records) records (\(result.malformed) malformed) to '\(topic)' in \(String(format: "%.2f", result.seconds)) s (\(Int(Double(result.records) / max(result.seconds, 0.001))) records/s)\n".utf8))

            let groundTruth = GroundTruth(generator: generator, includeSessions: truthSessions)
            if let truth {
                try groundTruth.jsonData().write(to: URL(fileURLWithPath: truth))
            }
            FileHandle.standardError.write(Data(groundTruth.textReport.utf8))
            if result.failed > 0 {
                throw ValidationError("\(result.failed) records could not be delivered")
            }
        }

        private func trafficConfiguration() throws -> TrafficConfiguration {
            guard let timeout = DurationParser.milliseconds(inactivityTimeout), timeout > 0 else {
                throw ValidationError("--inactivity-timeout '\(inactivityTimeout)' is not a duration")
            }
            guard let lateness = DurationParser.milliseconds(allowedLateness) else {
                throw ValidationError("--allowed-lateness '\(allowedLateness)' is not a duration")
            }
            guard let spacing = DurationParser.milliseconds(interactionSpacing) else {
                throw ValidationError("--interaction-spacing '\(interactionSpacing)' is not a duration")
            }
            var start = TrafficConfiguration.defaultStartTimeMs
            if let startTime {
                if startTime == "now" {
                    start = Int64(Date().timeIntervalSince1970 * 1000)
                } else if let ms = Int64(startTime) {
                    start = ms
                } else {
                    throw ValidationError("--start-time must be ms since epoch or 'now'")
                }
            }
            var profile = TrafficProfile()
            if let duplicateRate { profile.duplicateRate = duplicateRate }
            if let outOfOrderRate { profile.outOfOrderRate = outOfOrderRate }
            if let tenants { profile.tenants = tenants.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            var configuration = TrafficConfiguration(
                seed: seed, interactions: interactions, startTimeMs: start,
                spanMs: Int64(interactions) * spacing, inactivityTimeoutMs: timeout,
                allowedLatenessMs: lateness, profile: profile)
            configuration.profile = profile
            do {
                try configuration.validate()
            } catch {
                throw ValidationError("invalid traffic settings: \(error)")
            }
            return configuration
        }
    }
}
