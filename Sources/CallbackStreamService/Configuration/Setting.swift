import Logging

/// One user-facing setting of `callback-stream run`: its flag name, help, default and parser.
///
/// The same table drives the command-line help, the environment variables
/// (`CALLBACK_STREAM_<NAME>`), the config-file keys and the validation messages.
public struct Setting: Sendable {
    /// The long flag name without dashes; also the config-file key.
    public let name: String
    public let help: String
    public let defaultValue: String?
    let apply: @Sendable (inout ProcessorConfiguration, String) throws(SettingValueError) -> Void

    /// The environment variable that sets this setting.
    public var environmentVariable: String {
        "CALLBACK_STREAM_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// Help text including the default and the environment variable.
    public var fullHelp: String {
        let def = defaultValue.map { " (default: \($0))" } ?? ""
        return "\(help)\(def) [env: \(environmentVariable)]"
    }
}

/// Why a setting's value was rejected; becomes a ``ConfigurationError`` naming the setting.
public struct SettingValueError: Error {
    public var message: String
}

extension Setting {
    /// Looks a setting up by its flag name.
    public static func named(_ name: String) -> Setting? {
        all.first { $0.name == name }
    }

    /// Every setting of `run`, in the order `--help` lists them.
    public static let all: [Setting] = [
        text("bootstrap-servers", "Kafka bootstrap servers, host:port[,host:port…]. Required.", nil) { $0.bootstrapServers = $1 },
        text("group-id", "Consumer group id; instances with the same id share the input partitions.", "callback-stream") { $0.groupID = $1 },
        text("input-topic", "Topic of lifecycle events.", "callback.lifecycle") { $0.inputTopic = $1 },
        text("output-topic", "Topic for one summary per session.", "callback.summaries") { $0.outputTopic = $1 },
        text("dlq-topic", "Dead-letter topic for records that cannot be processed.", "callback.lifecycle.dlq") { $0.dlqTopic = $1 },
        text("stats-topic", "Topic for per-window aggregates.", "callback.stats") { $0.statsTopic = $1 },
        text("alerts-topic", "Topic for error-spike alerts.", "callback.alerts") { $0.alertsTopic = $1 },
        duration("inactivity-timeout", "Event time without events after which a session ends (inactivityTimeout).", "30m", positive: true) { $0.inactivityTimeoutMs = $1 },
        duration("allowed-lateness", "How far behind the newest event time an event may arrive; watermark = max event time − lateness.", "5s", positive: false) { $0.allowedLatenessMs = $1 },
        duration("idle-advance-after", "Wall-clock time a partition must be silent before its watermark advances with the wall clock.", "10s", positive: false) { $0.idleAdvanceAfterMs = $1 },
        duration("window", "Length of the tumbling event-time windows for stats and alerts.", "1m", positive: true) { $0.windowMs = $1 },
        duration("max-clock-skew", "How far an event's timestamp may be ahead of its Kafka record timestamp; an event further ahead is dead-lettered (future_timestamp) and never moves the watermark or touches a session.", "5m", positive: false) { $0.maxClockSkewMs = $1 },
        duration("max-session-duration", "Longest a session may last from its first event; it then ends with closeReason maxDuration (a hot or broken key such as \"undefined\" never holds state or the committed offset for longer).", "1h", positive: true) { $0.maxSessionDurationMs = $1 },
        text("stats-partials-topic", "Internal topic of window partials and progress markers between the partition tasks and the stats merge stage (create it like the other topics; keep its partition count fixed).", "callback.stats.partials") { $0.statsPartialsTopic = $1 },
        duration("stats-merge-timeout", "Wall-clock time after which the merge stage publishes a window that some input partition never reported (counted as incomplete; default max(90s, 2 × window + allowed-lateness + idle-advance-after)).", nil, positive: true) { $0.statsMergeTimeoutMs = $1 },
        Setting(name: "alert-threshold", help: "Alert when errors/submissions in a window is above this ratio (0…1).", defaultValue: "0.2") { config, value throws(SettingValueError) in
            guard let ratio = Double(value), ratio >= 0, ratio <= 1 else {
                throw SettingValueError(message: "'\(value)' is not a ratio between 0 and 1")
            }
            config.alertThreshold = ratio
        },
        integer("alert-min-volume", "Minimum submissions in a window before an alert can fire.", "20", range: 1...Int.max) { $0.alertMinVolume = $1 },
        integer("max-open-sessions", "Cap on open sessions per process; beyond it the session with the earliest deadline is closed early (anomaly evicted).", "1000000", range: 1...Int.max) { $0.maxOpenSessions = $1 },
        integer("max-remembered-sessions", "Closed sessions remembered per input partition, for late-event detection and reopen numbering; beyond it the oldest are forgotten early (default: max(1000, max-open-sessions / 16)).", nil, range: 1...Int.max) { $0.maxRememberedSessions = $1 },
        integer("max-record-bytes", "Records larger than this go to the dead-letter topic (too_large).", "65536", range: 64...(64 << 20)) { $0.maxRecordBytes = $1 },
        text("metrics-address", "Address the HTTP server (/metrics, /healthz, /readyz, /sessions, /) binds to.", "0.0.0.0") { $0.metricsAddress = $1 },
        integer("metrics-port", "Port of the HTTP server; 0 picks a free port.", "9464", range: 0...65535) { $0.metricsPort = $1 },
        Setting(name: "log-format", help: "Log format: text or json.", defaultValue: "text") { config, value throws(SettingValueError) in
            guard let format = ProcessorConfiguration.LogFormat(rawValue: value) else {
                throw SettingValueError(message: "'\(value)' is not one of: text, json")
            }
            config.logFormat = format
        },
        Setting(name: "log-level", help: "Log level: trace, debug, info, notice, warning, error, critical.", defaultValue: "info") { config, value throws(SettingValueError) in
            guard let level = Logger.Level(rawValue: value) else {
                throw SettingValueError(message: "'\(value)' is not one of: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.logLevel = level
        },
        duration("shutdown-timeout", "Upper bound for flushing and committing on SIGTERM/SIGINT.", "30s", positive: true) { $0.shutdownTimeoutMs = $1 },
        duration("commit-interval", "How often offsets are committed.", "1s", positive: true) { $0.commitIntervalMs = $1 },
        boolean("include-form-values", "Copy form values into summaries (PII!). Off by default.", "false") { $0.includeFormValues = $1 },
        boolean("wake-fetcher", "After draining a full prefetch queue, wake librdkafka's fetcher at once with a ListOffsets request to each partition leader (librdkafka < 2.3 otherwise waits up to 1 s before fetching again, which throttles catching up).", "true") { $0.wakeFetcher = $1 },
        integer("stream-threads", "Poll loops in this process, each a consumer-group member with its own partitions, librdkafka consumer and producer (like Kafka Streams' num.stream.threads): more cores for catching up on a backlog. The max-open-sessions cap is split evenly between them.", "1", range: 1...64) { $0.streamThreads = $1 },
        boolean("publish-not-opened", "Also publish summaries of sessions that never reached opened (otherwise only counted).", "false") { $0.publishNotOpened = $1 },
    ]

    private static func text(
        _ name: String, _ help: String, _ defaultValue: String?,
        _ set: @escaping @Sendable (inout ProcessorConfiguration, String) -> Void
    ) -> Setting {
        Setting(name: name, help: help, defaultValue: defaultValue) { config, value throws(SettingValueError) in
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw SettingValueError(message: "must not be empty")
            }
            set(&config, value)
        }
    }

    private static func duration(
        _ name: String, _ help: String, _ defaultValue: String?, positive: Bool,
        _ set: @escaping @Sendable (inout ProcessorConfiguration, Int64) -> Void
    ) -> Setting {
        Setting(name: name, help: help + " Units: ms, s, m, h, d.", defaultValue: defaultValue) { config, value throws(SettingValueError) in
            guard let ms = DurationParser.milliseconds(value) else {
                throw SettingValueError(message: "'\(value)' is not a duration such as 500ms, 5s, 30m or 1h")
            }
            if positive && ms == 0 { throw SettingValueError(message: "must be greater than zero") }
            set(&config, ms)
        }
    }

    private static func integer(
        _ name: String, _ help: String, _ defaultValue: String?, range: ClosedRange<Int>,
        _ set: @escaping @Sendable (inout ProcessorConfiguration, Int) -> Void
    ) -> Setting {
        Setting(name: name, help: help, defaultValue: defaultValue) { config, value throws(SettingValueError) in
            guard let number = Int(value.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
                throw SettingValueError(message: "'\(value)' is not a whole number in \(range.lowerBound)…\(range.upperBound)")
            }
            set(&config, number)
        }
    }

    private static func boolean(
        _ name: String, _ help: String, _ defaultValue: String,
        _ set: @escaping @Sendable (inout ProcessorConfiguration, Bool) -> Void
    ) -> Setting {
        Setting(name: name, help: help, defaultValue: defaultValue) { config, value throws(SettingValueError) in
            switch value.lowercased() {
            case "true", "1", "yes", "on": set(&config, true)
            case "false", "0", "no", "off": set(&config, false)
            default: throw SettingValueError(message: "'\(value)' is not true or false")
            }
        }
    }
}

import Foundation
