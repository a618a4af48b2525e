import Testing
@testable import CallbackStreamService

@Suite struct SettingsResolverTests {
    @Test func defaultsFollowTheContract() throws {
        let config = try SettingsResolver(flags: ["bootstrap-servers": "localhost:9092"], environment: [:]).resolve()
        #expect(config.groupID == "callback-stream")
        #expect(config.inputTopic == "callback.lifecycle")
        #expect(config.outputTopic == "callback.summaries")
        #expect(config.dlqTopic == "callback.lifecycle.dlq")
        #expect(config.inactivityTimeoutMs == 30 * 60_000)
        #expect(config.allowedLatenessMs == 5_000)
        #expect(config.windowMs == 60_000)
        #expect(config.metricsPort == 9464)
        #expect(config.includeFormValues == false)
        #expect(config.streamThreads == nil)  // auto: StreamThreadPlan
    }

    @Test func flagsBeatEnvironmentBeatFile() throws {
        let file = try ConfigFile.parse("""
            bootstrap-servers: file:1
            group-id: from-file
            window: 2m
            inactivity-timeout: 10m
            librdkafka:
              client.id: file-client
              linger.ms: 7
            """, name: "test.yaml")
        let config = try SettingsResolver(
            flags: ["group-id": "from-flag"],
            librdkafkaFlags: ["linger.ms=1"],
            environment: ["CALLBACK_STREAM_GROUP_ID": "from-env", "CALLBACK_STREAM_WINDOW": "30s", "CALLBACK_STREAM_X": "acks=all;client.id=env-client"],
            file: file, fileName: "test.yaml"
        ).resolve()
        #expect(config.bootstrapServers == "file:1")
        #expect(config.groupID == "from-flag")
        #expect(config.windowMs == 30_000)
        #expect(config.inactivityTimeoutMs == 600_000)
        #expect(config.librdkafka == ["client.id": "env-client", "linger.ms": "1", "acks": "all"])
    }

    @Test func jsonConfigFilesWork() throws {
        let file = try ConfigFile.parse(#"{"bootstrap-servers": "a:1", "max-open-sessions": 5}"#, name: "c.json")
        let config = try SettingsResolver(flags: [:], environment: [:], file: file).resolve()
        #expect(config.maxOpenSessions == 5)
    }

    @Test(arguments: [
        ("inactivity-timeout", "soon", "is not a duration"),
        ("inactivity-timeout", "0s", "greater than zero"),
        ("alert-threshold", "1.5", "ratio between 0 and 1"),
        ("metrics-port", "70000", "whole number"),
        ("log-format", "xml", "text, json"),
        ("log-level", "loud", "trace"),
        ("include-form-values", "maybe", "true or false"),
        ("stream-threads", "0", "neither auto nor a whole number in 1…64"),
    ])
    func badValuesNameTheFlag(setting: String, value: String, fragment: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try SettingsResolver(flags: ["bootstrap-servers": "x:1", setting: value], environment: [:]).resolve()
        }
        #expect(error?.setting == setting)
        #expect(error?.description.contains("--\(setting)") == true)
        #expect(error?.message.contains(fragment) == true)
    }

    @Test func badEnvironmentValueNamesTheVariable() {
        let error = #expect(throws: ConfigurationError.self) {
            try SettingsResolver(flags: ["bootstrap-servers": "x:1"], environment: ["CALLBACK_STREAM_WINDOW": "-3"]).resolve()
        }
        #expect(error?.source == "environment variable CALLBACK_STREAM_WINDOW")
    }

    @Test func missingBootstrapServersIsAClearError() {
        let error = #expect(throws: ConfigurationError.self) {
            try SettingsResolver(flags: [:], environment: [:]).resolve()
        }
        #expect(error?.setting == "bootstrap-servers")
    }

    @Test func unknownConfigFileKeyIsRejected() {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigFile.parse("bootstrap-server: typo:1\n", name: "c.yaml")
        }
        #expect(error?.setting == "bootstrap-server")
    }

    @Test func clashingTopicsAreRejected() {
        #expect(throws: ConfigurationError.self) {
            try SettingsResolver(flags: ["bootstrap-servers": "x:1", "output-topic": "callback.lifecycle"], environment: [:]).resolve()
        }
    }

    @Test func malformedLibrdkafkaPropertyIsRejected() {
        let error = #expect(throws: ConfigurationError.self) {
            try SettingsResolver(flags: ["bootstrap-servers": "x:1"], librdkafkaFlags: ["novalue"], environment: [:]).resolve()
        }
        #expect(error?.setting == "X")
    }

    @Test(arguments: [("30m", 1_800_000), ("5s", 5_000), ("1500ms", 1_500), ("1h30m", 5_400_000), ("250", 250), ("2d", 172_800_000)])
    func durationsParse(text: String, expected: Int64) {
        #expect(DurationParser.milliseconds(text) == expected)
    }

    @Test(arguments: ["", "m", "5x", "-5s", "1.5s", "99999999999999999999s"])
    func badDurationsAreRejected(text: String) {
        #expect(DurationParser.milliseconds(text) == nil)
    }
}
