import ArgumentParser
import CallbackStreamService

/// The flags of `callback-stream run`; every one is optional here so that environment
/// variables and the config file can fill the gaps (flags > env > file > defaults).
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("bootstrap-servers"), help: help("bootstrap-servers")) var bootstrapServers: String?
    @Option(name: .customLong("group-id"), help: help("group-id")) var groupID: String?
    @Option(name: .customLong("input-topic"), help: help("input-topic")) var inputTopic: String?
    @Option(name: .customLong("output-topic"), help: help("output-topic")) var outputTopic: String?
    @Option(name: .customLong("dlq-topic"), help: help("dlq-topic")) var dlqTopic: String?
    @Option(name: .customLong("stats-topic"), help: help("stats-topic")) var statsTopic: String?
    @Option(name: .customLong("alerts-topic"), help: help("alerts-topic")) var alertsTopic: String?
    @Option(name: .customLong("inactivity-timeout"), help: help("inactivity-timeout")) var inactivityTimeout: String?
    @Option(name: .customLong("allowed-lateness"), help: help("allowed-lateness")) var allowedLateness: String?
    @Option(name: .customLong("idle-advance-after"), help: help("idle-advance-after")) var idleAdvanceAfter: String?
    @Option(name: .customLong("window"), help: help("window")) var window: String?
    @Option(name: .customLong("max-clock-skew"), help: help("max-clock-skew")) var maxClockSkew: String?
    @Option(name: .customLong("max-session-duration"), help: help("max-session-duration")) var maxSessionDuration: String?
    @Option(name: .customLong("stats-partials-topic"), help: help("stats-partials-topic")) var statsPartialsTopic: String?
    @Option(name: .customLong("stats-merge-timeout"), help: help("stats-merge-timeout")) var statsMergeTimeout: String?
    @Option(name: .customLong("alert-threshold"), help: help("alert-threshold")) var alertThreshold: String?
    @Option(name: .customLong("alert-min-volume"), help: help("alert-min-volume")) var alertMinVolume: String?
    @Option(name: .customLong("max-open-sessions"), help: help("max-open-sessions")) var maxOpenSessions: String?
    @Option(name: .customLong("max-remembered-sessions"), help: help("max-remembered-sessions")) var maxRememberedSessions: String?
    @Option(name: .customLong("max-record-bytes"), help: help("max-record-bytes")) var maxRecordBytes: String?
    @Option(name: .customLong("metrics-address"), help: help("metrics-address")) var metricsAddress: String?
    @Option(name: .customLong("metrics-port"), help: help("metrics-port")) var metricsPort: String?
    @Option(name: .customLong("log-format"), help: help("log-format")) var logFormat: String?
    @Option(name: .customLong("log-level"), help: help("log-level")) var logLevel: String?
    @Option(name: .customLong("shutdown-timeout"), help: help("shutdown-timeout")) var shutdownTimeout: String?
    @Option(name: .customLong("commit-interval"), help: help("commit-interval")) var commitInterval: String?
    @Option(name: .customLong("include-form-values"), help: help("include-form-values")) var includeFormValues: String?
    @Option(name: .customLong("publish-not-opened"), help: help("publish-not-opened")) var publishNotOpened: String?
    @Option(name: .customLong("wake-fetcher"), help: help("wake-fetcher")) var wakeFetcher: String?
    @Option(name: .customLong("stream-threads"), help: help("stream-threads")) var streamThreads: String?

    @Option(name: .customLong("config"), help: "YAML or JSON file with settings (keys are the flag names; a 'librdkafka' map for properties). [env: CALLBACK_STREAM_CONFIG]")
    var config: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("librdkafka property key=value passed straight through (repeatable), e.g. -X security.protocol=SASL_SSL. [env: CALLBACK_STREAM_X, ';'-separated]", valueName: "key=value"))
    var librdkafka: [String] = []

    /// The flags given on the command line, by setting name.
    var flagValues: [String: String] {
        let pairs: [(String, String?)] = [
            ("bootstrap-servers", bootstrapServers), ("group-id", groupID), ("input-topic", inputTopic),
            ("output-topic", outputTopic), ("dlq-topic", dlqTopic), ("stats-topic", statsTopic),
            ("alerts-topic", alertsTopic), ("inactivity-timeout", inactivityTimeout),
            ("allowed-lateness", allowedLateness), ("idle-advance-after", idleAdvanceAfter), ("window", window),
            ("max-clock-skew", maxClockSkew), ("max-session-duration", maxSessionDuration),
            ("stats-partials-topic", statsPartialsTopic), ("stats-merge-timeout", statsMergeTimeout),
            ("alert-threshold", alertThreshold), ("alert-min-volume", alertMinVolume),
            ("max-open-sessions", maxOpenSessions), ("max-remembered-sessions", maxRememberedSessions), ("max-record-bytes", maxRecordBytes),
            ("metrics-address", metricsAddress), ("metrics-port", metricsPort), ("log-format", logFormat),
            ("log-level", logLevel), ("shutdown-timeout", shutdownTimeout), ("commit-interval", commitInterval),
            ("include-form-values", includeFormValues), ("publish-not-opened", publishNotOpened),
            ("wake-fetcher", wakeFetcher), ("stream-threads", streamThreads),
        ]
        var values: [String: String] = [:]
        for (name, value) in pairs { if let value { values[name] = value } }
        return values
    }

    /// Resolves flags, environment and config file into a validated configuration.
    func resolve(environment: [String: String]) throws -> ProcessorConfiguration {
        let configPath = config ?? environment["CALLBACK_STREAM_CONFIG"]
        let file = try configPath.map { path throws(ConfigurationError) in try ConfigFile.load(path: path) }
        return try SettingsResolver(
            flags: flagValues, librdkafkaFlags: librdkafka, environment: environment,
            file: file, fileName: configPath
        ).resolve()
    }
}

private func help(_ name: String) -> ArgumentHelp {
    ArgumentHelp(Setting.named(name)?.fullHelp ?? "")
}
