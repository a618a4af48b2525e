import ArgumentParser
import CallbackStreamService

/// The flags of `callback-stream run`.
///
/// The settings (`--bootstrap-servers`, `--window`, …) are not declared here one by one: they
/// are declared once in ``Setting/all``, collected here as they come and parsed by
/// ``SettingFlags`` (unknown flags are errors), and listed in `--help` from the same table.
/// Every one is optional here so that environment variables and the config file can fill the
/// gaps (flags > env > file > defaults).
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "YAML or JSON file with settings (keys are the flag names; a 'librdkafka' map for properties). [env: CALLBACK_STREAM_CONFIG]")
    var config: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("librdkafka property key=value passed straight through (repeatable), e.g. -X security.protocol=SASL_SSL. [env: CALLBACK_STREAM_X, ';'-separated]", valueName: "key=value"))
    var librdkafka: [String] = []

    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp(
            "Settings, each as --name value or --name=value; every one also from its environment variable or the --config file:",
            discussion: SettingFlags.helpListing(),
            valueName: "--setting value"))
    var settings: [String] = []

    func validate() throws {
        _ = try flagValues()
    }

    /// The flags given on the command line, by setting name.
    func flagValues() throws -> [String: String] {
        do {
            return try SettingFlags.parse(settings)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Resolves flags, environment and config file into a validated configuration.
    func resolve(environment: [String: String]) throws -> ProcessorConfiguration {
        let configPath = config ?? environment["CALLBACK_STREAM_CONFIG"]
        let file = try configPath.map { path throws(ConfigurationError) in try ConfigFile.load(path: path) }
        return try SettingsResolver(
            flags: try flagValues(), librdkafkaFlags: librdkafka, environment: environment,
            file: file, fileName: configPath
        ).resolve()
    }
}
