import Foundation
import Logging

/// A swift-log handler writing one JSON object per line to stderr (`--log-format json`).
///
/// Fields: `ts` (ISO 8601), `level`, `label`, `msg`, then the metadata keys. Callers never put
/// form values into metadata (PII); this handler does not try to detect them.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let (level, message, explicit) = (event.level, event.message, event.metadata)
        var line = "{\"ts\":\"\(Date().ISO8601Format(.iso8601.time(includingFractionalSeconds: true).year().month().day().dateSeparator(.dash).timeZone(separator: .omitted)))\""
        line += ",\"level\":\"\(level.rawValue)\",\"label\":" + Self.quote(label) + ",\"msg\":" + Self.quote(message.description)
        let merged = metadata.merging(explicit ?? [:]) { _, new in new }
        for key in merged.keys.sorted() {
            line += "," + Self.quote(key) + ":" + Self.quote(merged[key]!.description)
        }
        line += "}\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func quote(_ text: String) -> String {
        JSONText.quoted(text)
    }
}
