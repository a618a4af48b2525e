import Foundation
import Yams

/// A `--config` file: YAML or JSON (JSON is YAML) with the flag names as keys.
///
/// ```yaml
/// bootstrap-servers: kafka-1:9092,kafka-2:9092
/// inactivity-timeout: 30m
/// librdkafka:
///   security.protocol: SASL_SSL
/// ```
public struct ConfigFile: Sendable, Equatable {
    /// Setting name → value, as text.
    public var values: [String: String]
    /// librdkafka properties from the `librdkafka` map.
    public var librdkafka: [String: String]

    /// The file's key for librdkafka pass-through properties.
    public static let librdkafkaKey = "librdkafka"

    public init(values: [String: String] = [:], librdkafka: [String: String] = [:]) {
        self.values = values
        self.librdkafka = librdkafka
    }

    /// Reads and parses the file at `path`; errors name the file and the offending key.
    public static func load(path: String) throws(ConfigurationError) -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(setting: "config", source: "flag", message: "cannot read '\(path)'")
        }
        return try parse(text, name: path)
    }

    /// Parses YAML or JSON text.
    public static func parse(_ text: String, name: String) throws(ConfigurationError) -> ConfigFile {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(setting: "config", source: "config file \(name)", message: "not valid YAML or JSON: \(error)")
        }
        guard let node else { return ConfigFile() }
        guard let mapping = node.mapping else {
            throw ConfigurationError(setting: "config", source: "config file \(name)", message: "the top level must be a mapping of setting names to values")
        }
        var file = ConfigFile()
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { continue }
            if key == librdkafkaKey {
                guard let properties = valueNode.mapping else {
                    throw ConfigurationError(setting: key, source: "config file \(name)", message: "must be a mapping of librdkafka property names to values")
                }
                for (k, v) in properties {
                    guard let k = k.string, let v = v.scalar?.string else { continue }
                    file.librdkafka[k] = v
                }
                continue
            }
            guard Setting.named(key) != nil else {
                throw ConfigurationError(setting: key, source: "config file \(name)", message: "unknown setting (known: \(Setting.all.map(\.name).joined(separator: ", ")), \(librdkafkaKey))")
            }
            guard let scalar = valueNode.scalar else {
                throw ConfigurationError(setting: key, source: "config file \(name)", message: "must be a single value")
            }
            file.values[key] = scalar.string
        }
        return file
    }
}
