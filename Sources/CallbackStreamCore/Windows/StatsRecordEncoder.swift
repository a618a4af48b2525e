/// Encodes a ``WindowStatsRecord`` as the `callback.stats` JSON value (`schemas/stats.schema.json`).
///
/// Deterministic bytes, fixed field order, no whitespace:
/// `{"schemaVersion":2,"statsId":…,"windowStart":…,"windowEnd":…,"tenant":…|null,
/// "inputPartitions":…,"completePartitions":…,"sessions":…,"outcomes":{"completed":…,…},"submissions":…,"submissionsWithErrors":…,
/// "errorCodes":[{"code":…,"count":…}],"errorCodesOmitted":…,
/// "closeReasons":{"closed":…,"inactivityTimeout":…,"maxDuration":…},"evicted":…,"flushed":…,
/// "elapsedMs":{"count":…,"min":…,"max":…,"p50":…,"p95":…,"p99":…,"relativeAccuracy":…}}`
/// (`min` … `p99` are `null` when no session had an `elapsedMs`).
public struct StatsRecordEncoder: Sendable {
    /// The `schemaVersion` written into every record.
    public static let schemaVersion = 2

    /// Creates an encoder.
    public init() {}

    /// Appends the record's JSON to `bytes`.
    public func encode(_ record: WindowStatsRecord, into bytes: inout [UInt8]) {
        var writer = WindowJSONWriter(into: bytes)
        bytes = []
        writer.beginObject()
        writer.key("schemaVersion")
        writer.integer(Self.schemaVersion)
        writer.key("statsId")
        writer.string(record.statsId)
        writer.key("windowStart")
        writer.integer(record.windowStart)
        writer.key("windowEnd")
        writer.integer(record.windowEnd)
        writer.key("tenant")
        writer.optionalString(record.tenant)
        writer.key("inputPartitions")
        writer.integer(record.inputPartitions)
        writer.key("completePartitions")
        writer.integer(record.completePartitions)
        writer.key("sessions")
        writer.integer(record.sessions)
        writer.sessionCounts(
            outcomes: record.outcomes, submissions: record.submissions, submissionsWithErrors: record.submissionsWithErrors,
            errorCodes: record.errorCodes, errorCodesOmitted: record.errorCodesOmitted, closedByEvent: record.closedByEvent,
            inactivityTimeouts: record.inactivityTimeouts, maxDurations: record.maxDurations, evicted: record.evicted,
            flushed: record.flushed)
        writer.key("elapsedMs")
        writer.beginObject()
        writer.key("count")
        writer.integer(record.elapsed.count)
        writer.key("min")
        writer.optionalInteger(record.elapsed.minimum)
        writer.key("max")
        writer.optionalInteger(record.elapsed.maximum)
        writer.key("p50")
        writer.optionalInteger(record.elapsed.p50)
        writer.key("p95")
        writer.optionalInteger(record.elapsed.p95)
        writer.key("p99")
        writer.optionalInteger(record.elapsed.p99)
        writer.key("relativeAccuracy")
        writer.number(record.elapsed.relativeAccuracy)
        writer.endObject()
        writer.endObject()
        bytes = writer.bytes
    }

    /// The record's JSON.
    public func encode(_ record: WindowStatsRecord) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(record, into: &bytes)
        return bytes
    }
}
