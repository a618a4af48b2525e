import Testing
@testable import CallbackStreamService

/// `run`'s settings flags, parsed from ``Setting/all`` alone.
@Suite struct SettingFlagsTests {
    @Test func bothFormsAndTheLastOccurrenceWin() throws {
        let values = try SettingFlags.parse(["--window", "2m", "--group-id=a=b", "--window", "3m", "--max-open-sessions", "-1"])
        #expect(values == ["window": "3m", "group-id": "a=b", "max-open-sessions": "-1"])
    }

    @Test(arguments: [
        (["--windows", "1m"], "Unknown option '--windows'; did you mean '--window'?"),
        (["--zzz", "1"], "Unknown option '--zzz'"),
        (["--window"], "Missing value for '--window <window>'"),
        (["1m"], "Unexpected argument '1m'"),
        (["-w", "1m"], "Unknown option '-w'"),
    ])
    func mistakesAreRejected(arguments: [String], message: String) {
        #expect(throws: SettingFlags.ParseError(message)) { try SettingFlags.parse(arguments) }
    }

    @Test func everySettingIsAFlagAndTheHelpListsIt() throws {
        let listing = SettingFlags.helpListing()
        for setting in Setting.all {
            #expect(try SettingFlags.parse(["--\(setting.name)", "v"]) == [setting.name: "v"])
            #expect(listing.contains("--\(setting.name) <\(setting.name)>"))
            #expect(listing.contains("[env: \(setting.environmentVariable)]"))
        }
        #expect(listing.split(separator: "\n").allSatisfy { $0.count <= 70 })
    }

    /// The defaults the help shows are the fields of a default configuration: applying each
    /// one changes nothing.
    @Test func theHelpDefaultsAreTheConfigurationDefaults() throws {
        let defaults = ProcessorConfiguration()
        var applied = defaults
        for setting in Setting.all {
            guard let value = setting.defaultValue else { continue }
            try setting.apply(&applied, value)
        }
        #expect(applied == defaults)
        #expect(Setting.named("inactivity-timeout")?.defaultValue == "30m")
        #expect(Setting.named("log-level")?.defaultValue == "info")
        #expect(Setting.named("alert-threshold")?.defaultValue == "0.2")
        #expect(Setting.named("bootstrap-servers")?.defaultValue == nil)
        #expect(Setting.named("max-remembered-sessions")?.defaultValue == nil)
    }
}
