import ArgumentParser

/// The `callback-stream` command: Callback interaction-lifecycle analytics off a Kafka topic.
@main
struct CallbackStream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callback-stream",
        abstract: "Session analytics for Genesys Widgets Callback interaction lifecycles on Kafka.",
        discussion: """
            Reads lifecycle events (ready → opened → started → submitted → cancelled|completed → closed) \
            from a Kafka topic, keeps one in-memory session per interaction and publishes one summary \
            per session, windowed aggregates and error-spike alerts.
            """,
        subcommands: [Broker.self, Run.self, Generate.self, Demo.self]
    )
}
