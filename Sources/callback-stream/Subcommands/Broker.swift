import ArgumentParser
import CallbackStreamService
import Foundation
import Kafka
import Logging

extension CallbackStream {
    /// `callback-stream broker`: an embedded Kafka-protocol cluster (librdkafka's mock
    /// cluster) on loopback, for demos and tests.
    struct Broker: AsyncParsableCommand {
        static let limits = """
            Limits: librdkafka's mock cluster keeps everything in memory (gone when the process \
            ends), keeps only about the newest 5 MiB (and at most 100,000 message sets) of each \
            partition, and does not implement the Admin API (create topics with --topic or the \
            'topic' control command; a metadata request naming an unknown topic auto-creates it \
            with 4 partitions). Transactions are accepted but not isolated.
            """

        static let configuration = CommandConfiguration(
            abstract: "Run an embedded Kafka-protocol cluster (librdkafka's mock cluster) on loopback.",
            discussion: """
                Prints the cluster's bootstrap.servers as the first line of stdout, then runs until \
                SIGINT or SIGTERM and exits 0. Creates the default topics callback.lifecycle, \
                callback.summaries, callback.lifecycle.dlq, callback.stats, callback.alerts and the internal \
                callback.stats.partials with --partitions partitions, plus every --topic.

                \(limits)

                Control protocol: one command per line on stdin, each answered on stdout with 'ok' \
                or 'error: <reason>':
                \(MockClusterCommand.usage)
                """
        )

        /// The topics every broker starts with (CONTRACT §1, §4).
        static let defaultTopics = [
            "callback.lifecycle", "callback.summaries", "callback.lifecycle.dlq", "callback.stats", "callback.alerts",
            "callback.stats.partials",
        ]

        @Option(help: "Number of brokers (ids 1...N).")
        var brokers: Int = 1

        @Option(help: "Partitions of the default topics and of --topic without :PARTITIONS.")
        var partitions: Int = 8

        @Option(
            name: .customLong("topic"),
            help: ArgumentHelp("Another topic to create, as NAME or NAME:PARTITIONS (repeatable).", valueName: "name"))
        var topics: [String] = []

        func validate() throws {
            guard (1...64).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 64") }
            guard (1...10_000).contains(partitions) else {
                throw ValidationError("--partitions must be between 1 and 10000")
            }
            for topic in topics {
                _ = try Self.parseTopic(topic, defaultPartitions: partitions)
            }
        }

        /// `NAME` or `NAME:PARTITIONS`.
        static func parseTopic(_ text: String, defaultPartitions: Int) throws -> (name: String, partitions: Int) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard let name = parts.first, !name.isEmpty, parts.count <= 2 else {
                throw ValidationError("--topic '\(text)': expected NAME or NAME:PARTITIONS")
            }
            guard parts.count == 2 else { return (String(name), defaultPartitions) }
            guard let count = Int(parts[1]), (1...10_000).contains(count) else {
                throw ValidationError("--topic '\(text)': PARTITIONS must be a number between 1 and 10000")
            }
            return (String(name), count)
        }

        func run() async throws {
            let logger = Logger(label: "callback-stream.broker") { StreamLogHandler.standardError(label: $0) }
            let cluster = try MockCluster(brokers: brokers, logger: logger)
            var created: [(String, Int)] = Self.defaultTopics.map { ($0, partitions) }
            for topic in topics {
                let parsed = try Self.parseTopic(topic, defaultPartitions: partitions)
                created.removeAll { $0.0 == parsed.name }
                created.append((parsed.name, parsed.partitions))
            }
            for (name, count) in created {
                try cluster.createTopic(name, partitions: count)
            }

            let announce: @Sendable () -> Void = { [brokers, cluster, created] in
                Self.writeLine(cluster.bootstrapServers)
                FileHandle.standardError.write(
                    Data(
                        """
                        callback-stream broker: \(brokers) broker(s) at \(cluster.bootstrapServers); topics \
                        \(created.map { "\($0.0)(\($0.1))" }.joined(separator: ", ")). \(Self.limits) \
                        Stop with SIGINT/SIGTERM; control commands on stdin ('help').

                        """.utf8))
                Self.serveControlCommands(on: cluster)
            }
            let broker = EmbeddedBrokerService(cluster: cluster, logger: logger, onStart: announce)
            try await ProcessLifecycle.run([.init(service: broker)], shutdownBound: nil, logger: logger)
        }

        /// Writes `line` to stdout at once (unbuffered `write(2)`, so readers see it immediately).
        static func writeLine(_ line: String) {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }

        /// Reads control commands from stdin on a thread of their own until end of input.
        static func serveControlCommands(on cluster: MockCluster) {
            let thread = Thread {
                while let line = readLine() {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
                    writeLine(MockClusterCommand.answer(trimmed, on: cluster))
                }
            }
            thread.start()
        }
    }
}
