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
        OutputBuffer.appending(to: &bytes, capacity: 512) { encode(alert, into: &$0) }
    }

    /// Appends the alert's JSON to `out`.
    public func encode(_ alert: ErrorSpikeAlert, into out: inout OutputBuffer) {
        out.append("{\"schemaVersion\":")
        out.appendDecimal(Self.schemaVersion)
        out.append(",\"alert\":\"errorSpike\",\"alertId\":")
        out.appendWindowJSONString(alert.alertId)
        out.append(",\"windowStart\":")
        out.appendDecimal(alert.windowStart)
        out.append(",\"windowEnd\":")
        out.appendDecimal(alert.windowEnd)
        out.append(",\"tenant\":")
        out.appendWindowJSONString(alert.tenant)
        out.append(",\"ratio\":")
        out.appendJSONNumber(alert.ratio)
        out.append(",\"threshold\":")
        out.appendJSONNumber(alert.threshold)
        out.append(",\"submissions\":")
        out.appendDecimal(alert.submissions)
        out.append(",\"submissionsWithErrors\":")
        out.appendDecimal(alert.submissionsWithErrors)
        out.append(",\"minimumSubmissions\":")
        out.appendDecimal(alert.minimumSubmissions)
        out.append(",\"topErrorCodes\":")
        out.appendCodeCounts(alert.topErrorCodes)
        out.append(UInt8(ascii: "}"))
    }

    /// The alert's JSON.
    public func encode(_ alert: ErrorSpikeAlert) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(alert, into: &bytes)
        return bytes
    }
}
