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
        OutputBuffer.appending(to: &bytes, capacity: 1024) { encode(record, into: &$0) }
    }

    /// Appends the record's JSON to `out`.
    public func encode(_ record: WindowStatsRecord, into out: inout OutputBuffer) {
        out.append("{\"schemaVersion\":")
        out.appendDecimal(Self.schemaVersion)
        out.append(",\"statsId\":")
        out.appendWindowJSONString(record.statsId)
        out.append(",\"windowStart\":")
        out.appendDecimal(record.windowStart)
        out.append(",\"windowEnd\":")
        out.appendDecimal(record.windowEnd)
        out.append(",\"tenant\":")
        out.appendWindowJSONString(record.tenant)
        out.append(",\"inputPartitions\":")
        out.appendDecimal(record.inputPartitions)
        out.append(",\"completePartitions\":")
        out.appendDecimal(record.completePartitions)
        out.append(",\"sessions\":")
        out.appendDecimal(record.sessions)
        out.appendSessionCounts(
            outcomes: record.outcomes, submissions: record.submissions, submissionsWithErrors: record.submissionsWithErrors,
            errorCodes: record.errorCodes, errorCodesOmitted: record.errorCodesOmitted, closedByEvent: record.closedByEvent,
            inactivityTimeouts: record.inactivityTimeouts, maxDurations: record.maxDurations, evicted: record.evicted,
            flushed: record.flushed)
        out.append(",\"elapsedMs\":{\"count\":")
        out.appendDecimal(record.elapsed.count)
        out.append(",\"min\":")
        out.appendJSONInteger(record.elapsed.minimum)
        out.append(",\"max\":")
        out.appendJSONInteger(record.elapsed.maximum)
        out.append(",\"p50\":")
        out.appendJSONInteger(record.elapsed.p50)
        out.append(",\"p95\":")
        out.appendJSONInteger(record.elapsed.p95)
        out.append(",\"p99\":")
        out.appendJSONInteger(record.elapsed.p99)
        out.append(",\"relativeAccuracy\":")
        out.appendJSONNumber(record.elapsed.relativeAccuracy)
        out.append("}}")
    }

    /// The record's JSON.
    public func encode(_ record: WindowStatsRecord) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(record, into: &bytes)
        return bytes
    }
}
