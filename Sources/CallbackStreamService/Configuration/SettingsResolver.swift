/// Resolves ``ProcessorConfiguration`` from its layers: flags > environment > config file > defaults.
///
/// Every value goes through the same ``Setting`` parser whatever its source, and a bad value
/// fails with a ``ConfigurationError`` naming the setting and where the value came from.
public struct SettingsResolver: Sendable {
    /// Values given as flags, by setting name.
    public var flags: [String: String]
    /// `-X key=value` flags, in order.
    public var librdkafkaFlags: [String]
    /// The process environment.
    public var environment: [String: String]
    /// The parsed `--config` file, if any.
    public var file: ConfigFile?
    public var fileName: String?

    /// The environment variable holding extra librdkafka properties, `key=value` separated by `;` or newlines.
    public static let librdkafkaEnvironmentVariable = "CALLBACK_STREAM_X"

    public init(
        flags: [String: String], librdkafkaFlags: [String] = [],
        environment: [String: String], file: ConfigFile? = nil, fileName: String? = nil
    ) {
        self.flags = flags
        self.librdkafkaFlags = librdkafkaFlags
        self.environment = environment
        self.file = file
        self.fileName = fileName
    }

    public func resolve() throws(ConfigurationError) -> ProcessorConfiguration {
        var configuration = ProcessorConfiguration()
        for setting in Setting.all {
            let candidates: [(String?, String)] = [
                (flags[setting.name], "flag --\(setting.name)"),
                (environment[setting.environmentVariable], "environment variable \(setting.environmentVariable)"),
                (file?.values[setting.name], "config file \(fileName ?? "")"),
            ]
            guard let (value, source) = candidates.first(where: { $0.0 != nil }).map({ ($0.0!, $0.1) }) else { continue }
            do {
                try setting.apply(&configuration, value)
            } catch {
                throw ConfigurationError(setting: setting.name, source: source, message: error.message)
            }
        }
        if configuration.bootstrapServers.isEmpty {
            throw ConfigurationError(
                setting: "bootstrap-servers", source: "defaults",
                message: "is required (flag --bootstrap-servers, environment variable CALLBACK_STREAM_BOOTSTRAP_SERVERS or config file)")
        }
        configuration.librdkafka = file?.librdkafka ?? [:]
        if let fromEnvironment = environment[Self.librdkafkaEnvironmentVariable] {
            for entry in fromEnvironment.split(whereSeparator: { $0 == ";" || $0 == "\n" }) where !entry.isEmpty {
                let (key, value) = try Self.property(String(entry), source: "environment variable \(Self.librdkafkaEnvironmentVariable)")
                configuration.librdkafka[key] = value
            }
        }
        for entry in librdkafkaFlags {
            let (key, value) = try Self.property(entry, source: "flag -X")
            configuration.librdkafka[key] = value
        }
        let topics = [configuration.inputTopic, configuration.outputTopic, configuration.dlqTopic, configuration.statsTopic, configuration.alertsTopic]
        if Set(topics).count != topics.count {
            throw ConfigurationError(setting: "input-topic", source: "resolved settings", message: "input, output, dead-letter, stats and alerts topics must all differ (got \(topics.joined(separator: ", ")))")
        }
        return configuration
    }

    private static func property(_ entry: String, source: String) throws(ConfigurationError) -> (String, String) {
        guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
            throw ConfigurationError(setting: "X", source: source, message: "'\(entry)' is not key=value")
        }
        return (String(entry[..<equals]).trimmingCharacters(in: .whitespaces), String(entry[entry.index(after: equals)...]))
    }
}

import Foundation
