import Logging

/// Bootstraps swift-log once per process for the chosen format and level.
public enum LoggingSetup {
    /// Installs the process-wide log handler. Call once, before any `Logger` is created.
    public static func bootstrap(format: ProcessorConfiguration.LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch format {
            case .text: handler = StreamLogHandler.standardError(label: label)
            case .json: handler = JSONLogHandler(label: label)
            }
            handler.logLevel = level
            return handler
        }
    }
}
