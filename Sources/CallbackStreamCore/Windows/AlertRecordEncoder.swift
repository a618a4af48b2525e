/// Encodes an ``ErrorSpikeAlert`` as the `callback.alerts` JSON value (`schemas/alert.schema.json`).
///
/// Deterministic bytes, fixed field order, no whitespace:
/// `{"schemaVersion":2,"alert":"errorSpike","alertId":…,"windowStart":…,"windowEnd":…,
/// "tenant":…|null,"ratio":…,"threshold":…,"submissions":…,"submissionsWithErrors":…,
/// "minimumSubmissions":…,"topErrorCodes":[{"code":…,"count":…}]}`.
/// `ratio` and `threshold` use Swift's shortest round-trip decimal form (e.g. `0.25`).
public struct AlertRecordEncoder: Sendable {
    /// The `schemaVersion` written into every alert.
    public static let schemaVersion = 2

    /// Creates an encoder.
    public init() {}

    /// Appends the alert's JSON to `bytes`.
    public func encode(_ alert: ErrorSpikeAlert, into bytes: inout [UInt8]) {
        var writer = WindowJSONWriter(into: bytes)
        bytes = []
        writer.beginObject()
        writer.key("schemaVersion")
        writer.integer(Self.schemaVersion)
        writer.key("alert")
        writer.string("errorSpike")
        writer.key("alertId")
        writer.string(alert.alertId)
        writer.key("windowStart")
        writer.integer(alert.windowStart)
        writer.key("windowEnd")
        writer.integer(alert.windowEnd)
        writer.key("tenant")
        writer.optionalString(alert.tenant)
        writer.key("ratio")
        writer.number(alert.ratio)
        writer.key("threshold")
        writer.number(alert.threshold)
        writer.key("submissions")
        writer.integer(alert.submissions)
        writer.key("submissionsWithErrors")
        writer.integer(alert.submissionsWithErrors)
        writer.key("minimumSubmissions")
        writer.integer(alert.minimumSubmissions)
        writer.key("topErrorCodes")
        writer.codeCounts(alert.topErrorCodes)
        writer.endObject()
        bytes = writer.bytes
    }

    /// The alert's JSON.
    public func encode(_ alert: ErrorSpikeAlert) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(alert, into: &bytes)
        return bytes
    }
}
