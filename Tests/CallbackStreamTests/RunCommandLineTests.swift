import Foundation
import Testing

/// `callback-stream run`'s command line, parsed from the one table of settings.
@Suite struct RunCommandLineTests {
    /// Runs `callback-stream` with `arguments` to completion.
    static func run(_ arguments: [String]) async throws -> ChildProcess {
        let process = try ChildProcess(Pipeline.binary, arguments)
        process.closeInput()
        try await process.waitForExit()
        return process
    }

    @Test func helpListsEverySettingWithItsDefaultAndEnvironmentVariable() async throws {
        let help = try await Self.run(["run", "--help"])
        #expect(help.exit?.status == 0)
        let text = help.stdout
        for flag in ["bootstrap-servers", "group-id", "input-topic", "output-topic", "dlq-topic", "stats-topic",
                     "alerts-topic", "inactivity-timeout", "allowed-lateness", "idle-advance-after", "window",
                     "alert-threshold", "alert-min-volume", "max-open-sessions", "max-remembered-sessions",
                     "max-record-bytes", "metrics-address", "metrics-port", "log-format", "log-level",
                     "shutdown-timeout", "commit-interval", "include-form-values", "publish-not-opened",
                     "wake-fetcher", "stream-threads"] {
            #expect(text.contains("--\(flag) <\(flag)>"), "--\(flag) missing from:\n\(text)")
            let variable = "CALLBACK_STREAM_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
            #expect(text.contains("[env: \(variable)]"), "\(variable) missing from:\n\(text)")
        }
        #expect(text.contains("(default: 30m)"))
        #expect(text.contains("(default: 9464)"))
        #expect(text.contains("--config <config>") && text.contains("-X <key=value>"))
    }

    @Test(arguments: [
        (["--bootstrap-server", "x:1"], "Unknown option '--bootstrap-server'; did you mean '--bootstrap-servers'?"),
        (["--bootstrap-servers", "x:1", "--no-such-flag", "1"], "Unknown option '--no-such-flag'"),
        (["--bootstrap-servers"], "Missing value for '--bootstrap-servers <bootstrap-servers>'"),
        (["--bootstrap-servers", "x:1", "stray"], "Unexpected argument 'stray'"),
        (["--bootstrap-servers", "x:1", "--window=soon"], "invalid --window (from flag --window): 'soon' is not a duration"),
    ])
    func mistakesAreClearErrors(arguments: [String], message: String) async throws {
        let process = try await Self.run(["run"] + arguments)
        #expect(process.exit?.status != 0)
        #expect(process.stderr.contains(message), "\(process.stderr)")
        #expect(!process.stderr.contains("processor started"))
    }
}
