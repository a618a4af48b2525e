import Logging

/// One user-facing setting of `callback-stream run`: the single declaration of its flag name,
/// help, typed field of ``ProcessorConfiguration`` and value parser.
///
/// Everything else comes from this table (``all``): the `--help` listing, the flags (parsed
/// generically by ``SettingFlags``), the environment variable (`CALLBACK_STREAM_<NAME>`), the
/// config-file key (the name), the default shown in the help (read from the field of a default
/// ``ProcessorConfiguration``, which stays the one place defaults are written) and the
/// validation messages.
///
/// Why not apple/swift-configuration (1.4.0, evaluated for this table): its command-line
/// provider neither generates `--help` nor rejects unknown flags (it documents "no generated
/// help"; a reader only looks up the keys it asks for), so swift-argument-parser stays and the
/// flags would be parsed twice; a `ConfigReader` value does not carry the provider it came
/// from (only an access reporter sees that), and every error here names the flag, the variable
/// or the file; the file snapshots join nested keys with dots, which mixes up the `librdkafka:`
/// map of dotted property names, and a reader cannot list a file's keys to reject an unknown
/// one; durations such as `30m` and the value ranges still need our parsers. It would
/// cost a clean debug build about 65 s of CPU on this project's 2-core machines (the
/// `Configuration` module with the CommandLineArguments and YAML traits, swift-system and
/// swift-collections' Deque, measured alone) for a precedence rule that ``SettingsResolver``
/// states in ten lines.
public struct Setting: Sendable {
    /// The long flag name without dashes; also the config-file key.
    public let name: String
    public let help: String
    /// The default as the help shows it; `nil` when there is none (required, or computed).
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
        text("bootstrap-servers", \.bootstrapServers, "Kafka bootstrap servers, host:port[,host:port…]. Required."),
        text("group-id", \.groupID, "Consumer group id; instances with the same id share the input partitions."),
        optionalText("instance-id", \.instanceID, "Static group membership (group.instance.id): a stable, unique name per instance, such as a StatefulSet's pod name. A real broker (KIP-345) then hands a restarted instance its partitions back without a rebalance within the session timeout; raise -X session.timeout.ms to cover a pod restart. Stream threads and the stats merge stage append -<n> / -stats-merge. (default: none, dynamic membership)"),
        text("input-topic", \.inputTopic, "Topic of lifecycle events."),
        text("output-topic", \.outputTopic, "Topic for one summary per session."),
        text("dlq-topic", \.dlqTopic, "Dead-letter topic for records that cannot be processed."),
        text("stats-topic", \.statsTopic, "Topic for per-window aggregates."),
        text("alerts-topic", \.alertsTopic, "Topic for error-spike alerts."),
        duration("inactivity-timeout", \.inactivityTimeoutMs, "Event time without events after which a session ends (inactivityTimeout).", positive: true),
        duration("allowed-lateness", \.allowedLatenessMs, "How far behind the newest event time an event may arrive; watermark = max event time − lateness.", positive: false),
        duration("idle-advance-after", \.idleAdvanceAfterMs, "Wall-clock time a partition must be silent before its watermark advances with the wall clock.", positive: false),
        duration("window", \.windowMs, "Length of the tumbling event-time windows for stats and alerts.", positive: true),
        duration("max-clock-skew", \.maxClockSkewMs, "How far an event's timestamp may be ahead of its Kafka record timestamp; an event further ahead is dead-lettered (future_timestamp) and never moves the watermark or touches a session.", positive: false),
        duration("max-session-duration", \.maxSessionDurationMs, "Longest a session may last from its first event; it then ends with closeReason maxDuration (a hot or broken key such as \"undefined\" never holds state or the committed offset for longer).", positive: true),
        text("stats-partials-topic", \.statsPartialsTopic, "Internal topic of window partials and progress markers between the partition tasks and the stats merge stage (create it like the other topics; keep its partition count fixed)."),
        duration("stats-merge-timeout", \.statsMergeTimeoutMs, "Wall-clock time after which the merge stage publishes a window that some input partition never reported (counted as incomplete; default max(90s, 2 × window + allowed-lateness + idle-advance-after)).", positive: true),
        ratio("alert-threshold", \.alertThreshold, "Alert when errors/submissions in a window is above this ratio (0…1)."),
        integer("alert-min-volume", \.alertMinVolume, "Minimum submissions in a window before an alert can fire.", range: 1...Int.max),
        integer("max-open-sessions", \.maxOpenSessions, "Cap on open sessions per process; beyond it the session with the earliest deadline is closed early (anomaly evicted).", range: 1...Int.max),
        integer("max-remembered-sessions", \.maxRememberedSessions, "Closed sessions remembered per input partition, for late-event detection and reopen numbering; beyond it the oldest are forgotten early (default: max(1000, max-open-sessions / 16)).", range: 1...Int.max),
        integer("max-record-bytes", \.maxRecordBytes, "Records larger than this go to the dead-letter topic (too_large).", range: 64...(64 << 20)),
        text("metrics-address", \.metricsAddress, "Address the HTTP server (/metrics, /healthz, /readyz, /sessions, /) binds to."),
        integer("metrics-port", \.metricsPort, "Port of the HTTP server; 0 picks a free port.", range: 0...65535),
        choice("log-format", \.logFormat, "Log format: text or json.", ProcessorConfiguration.LogFormat.allCases),
        choice("log-level", \.logLevel, "Log level: trace, debug, info, notice, warning, error, critical.", Logger.Level.allCases),
        duration("shutdown-timeout", \.shutdownTimeoutMs, "Upper bound for flushing and committing on SIGTERM/SIGINT.", positive: true),
        duration("commit-interval", \.commitIntervalMs, "How often offsets are committed.", positive: true),
        boolean("include-form-values", \.includeFormValues, "Copy form values into summaries (PII!). Off by default."),
        boolean("wake-fetcher", \.wakeFetcher, "After draining a full prefetch queue, wake librdkafka's fetcher at once with a ListOffsets request to each partition leader (librdkafka < 2.3 otherwise waits up to 1 s before fetching again, which throttles catching up)."),
        threadCount("stream-threads", \.streamThreads, "Poll loops in this process, each a consumer-group member with its own partitions, librdkafka consumer and producer (like Kafka Streams' num.stream.threads): more cores for catching up on a backlog. auto: the CPUs available to the process (its affinity mask, lowered by a cgroup CPU quota such as a Kubernetes CPU limit, rounded up), at most the input topic's partitions; the start-up log line 'stream threads' says what was chosen and why. The max-open-sessions cap and the prefetch are split evenly between them.", range: 1...StreamThreadPlan.maximum),
        boolean("publish-not-opened", \.publishNotOpened, "Also publish summaries of sessions that never reached opened (otherwise only counted)."),
    ]

    /// The defaults the help shows: the fields of a default configuration.
    private static let defaults = ProcessorConfiguration()

    /// A non-empty text.
    private static func text(
        _ name: String, _ field: WritableKeyPath<ProcessorConfiguration, String> & Sendable, _ help: String
    ) -> Setting {
        let value = defaults[keyPath: field]
        return Setting(name: name, help: help, defaultValue: value.isEmpty ? nil : value) { config, value throws(SettingValueError) in
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw SettingValueError(message: "must not be empty")
            }
            config[keyPath: field] = value
        }
    }

    /// A non-empty text without a default.
    private static func optionalText(
        _ name: String, _ field: WritableKeyPath<ProcessorConfiguration, String?> & Sendable, _ help: String
    ) -> Setting {
        Setting(name: name, help: help, defaultValue: nil) { config, value throws(SettingValueError) in
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw SettingValueError(message: "must not be empty")
            }
            config[keyPath: field] = value
        }
    }

    /// A duration in milliseconds (`500ms`, `5s`, `30m`, `1h`).
    private static func duration(
        _ name: String, _ field: WritableKeyPath<ProcessorConfiguration, Int64> & Sendable, _ help: String, positive: Bool
    ) -> Setting {
        Setting(name: name, help: help + " Units: ms, s, m, h, d.", defaultValue: DurationParser.render(defaults[keyPath: field])) {
            config, value throws(SettingValueError) in
            guard let ms = DurationParser.milliseconds(value) else {
                throw SettingValueError(message: "'\(value)' is not a duration such as 500ms, 5s, 30m or 1h")
            }
            if positive && ms == 0 { throw SettingValueError(message: "must be greater than zero") }
            config[keyPath: field] = ms
        }
    }

    /// A duration in milliseconds whose default is computed from other settings (`nil`).
    private static func duration(
        _ name: String, _ field: WritableKeyPath<ProcessorConfiguration, Int64?> & Sendable, _ help: String, positive: Bool
    ) -> Setting {
        Setting(name: name, help: help + " Units: ms, s, m, h, d.", defaultValue: defaults[keyPath: field].map(DurationParser.render)) {
            config, value throws(SettingValueError) in
            guard let ms = DurationParser.milliseconds(value) else {
                throw SettingValueError(message: "'\(value)' is not a duration such as 500ms, 5s, 30m or 1h")
            }
            if positive && ms == 0 { throw SettingValueError(message: "must be greater than zero") }
            config[keyPath: field] = ms
        }
    }

    /// A whole number in `range`.
    private static func integer(
        _ name: String, _ field: WritableKeyPath<ProcessorConfiguration, Int> & Sendable, _ help: String, range: ClosedRange<Int>
    ) -> Setting {
        Setting(name: name, help: help, defaultValue: "\(defaults[keyPath: field])") { config, value throws(SettingValueError) in
            config[keyPath: field] = try wholeNumber(value, in: range)
        }
    }

    /// A whole number in `range` whose default is computed from other settings (`nil`).
    private static func integer(
        _ name: String, _ field: WritableKeyPath<ProcessorConfiguration, Int?> & Sendable, _ help: String, range: ClosedRange<Int>
    ) -> Setting {
        Setting(name: name, help: help, defaultValue: defaults[keyPath: field].map { "\($0)" }) { config, value throws(SettingValueError) in
            config[keyPath: field] = try wholeNumber(value, in: range)
        }
    }

    /// `auto` (`nil`) or a whole number in `range`.
    private static func threadCount(
        _ name: String, _ field: WritableKeyPath<ProcessorConfiguration, Int?> & Sendable, _ help: String, range: ClosedRange<Int>
    ) -> Setting {
        Setting(name: name, help: help, defaultValue: defaults[keyPath: field].map { "\($0)" } ?? "auto") { config, value throws(SettingValueError) in
            if value.trimmingCharacters(in: .whitespaces).lowercased() == "auto" {
                config[keyPath: field] = nil
                return
            }
            do {
                config[keyPath: field] = try wholeNumber(value, in: range)
            } catch {
                throw SettingValueError(message: "'\(value)' is neither auto nor a whole number in \(range.lowerBound)…\(range.upperBound)")
            }
        }
    }

    private static func wholeNumber(_ value: String, in range: ClosedRange<Int>) throws(SettingValueError) -> Int {
        guard let number = Int(value.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            throw SettingValueError(message: "'\(value)' is not a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    /// A ratio between 0 and 1.
    private static func ratio(
        _ name: String, _ field: WritableKeyPath<ProcessorConfiguration, Double> & Sendable, _ help: String
    ) -> Setting {
        Setting(name: name, help: help, defaultValue: "\(defaults[keyPath: field])") { config, value throws(SettingValueError) in
            guard let ratio = Double(value), ratio >= 0, ratio <= 1 else {
                throw SettingValueError(message: "'\(value)' is not a ratio between 0 and 1")
            }
            config[keyPath: field] = ratio
        }
    }

    /// One of `choices`, by raw value.
    private static func choice<Choice: RawRepresentable & Sendable>(
        _ name: String, _ field: WritableKeyPath<ProcessorConfiguration, Choice> & Sendable, _ help: String,
        _ choices: [Choice]
    ) -> Setting where Choice.RawValue == String {
        Setting(name: name, help: help, defaultValue: defaults[keyPath: field].rawValue) { config, value throws(SettingValueError) in
            guard let choice = Choice(rawValue: value) else {
                throw SettingValueError(message: "'\(value)' is not one of: \(choices.map(\.rawValue).joined(separator: ", "))")
            }
            config[keyPath: field] = choice
        }
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`).
    private static func boolean(
        _ name: String, _ field: WritableKeyPath<ProcessorConfiguration, Bool> & Sendable, _ help: String
    ) -> Setting {
        Setting(name: name, help: help, defaultValue: "\(defaults[keyPath: field])") { config, value throws(SettingValueError) in
            switch value.lowercased() {
            case "true", "1", "yes", "on": config[keyPath: field] = true
            case "false", "0", "no", "off": config[keyPath: field] = false
            default: throw SettingValueError(message: "'\(value)' is not true or false")
            }
        }
    }
}
