/// Encodes ``WindowPartial``s and ``WindowProgress`` markers as the values of the internal
/// partials topic (`schemas/stats-partial.schema.json`); ``WindowPartialDecoder`` reads them back.
///
/// Deterministic bytes, fixed field order, no whitespace, no Foundation. A partial:
///
/// ```
/// {"schemaVersion":1,"type":"partial","inputPartition":3,"partitionCount":8,
///  "windowStart":1767225600000,"windowEnd":1767225660000,"tenant":"acme","sessions":4,
///  "outcomes":{"completed":2,"failed":1,"abandonedForm":1,"cancelledBeforeStart":0,
///  "submittedUnconfirmed":0,"notOpened":0},"submissions":3,"submissionsWithErrors":1,
///  "errorCodes":[{"code":"E1","count":1}],"errorCodesOmitted":0,
///  "closeReasons":{"closed":3,"inactivityTimeout":1},"evicted":0,"flushed":0,
///  "elapsedMs":{"count":3,"zeros":0,"min":100,"max":310,"relativeAccuracy":0.01,
///  "binOffset":233,"bins":[1,0,0,…,1,1]}}
/// ```
///
/// (one line; `min`/`max` are `null` when `count` is 0; `bins` are the DDSketch counters from
/// index `binOffset` on, ``DDSketch/bins``). A progress marker:
/// `{"schemaVersion":1,"type":"progress","inputPartition":3,"partitionCount":8,"completeThrough":1767225660000}`.
public struct WindowPartialEncoder: Sendable {
    /// The `schemaVersion` of partials and markers.
    public static let schemaVersion = 1

    /// Creates an encoder.
    public init() {}

    /// Appends the partial's JSON to `bytes`.
    public func encode(_ partial: WindowPartial, into bytes: inout [UInt8]) {
        var writer = WindowJSONWriter(into: bytes)
        bytes = []
        writer.beginObject()
        writer.key("schemaVersion")
        writer.integer(Self.schemaVersion)
        writer.key("type")
        writer.string("partial")
        writer.key("inputPartition")
        writer.integer(partial.inputPartition)
        writer.key("partitionCount")
        writer.integer(partial.partitionCount)
        writer.key("windowStart")
        writer.integer(partial.windowStart)
        writer.key("windowEnd")
        writer.integer(partial.windowEnd)
        writer.key("tenant")
        writer.optionalString(partial.tenant)
        writer.key("sessions")
        writer.integer(partial.sessions)
        writer.sessionCounts(
            outcomes: partial.outcomes, submissions: partial.submissions, submissionsWithErrors: partial.submissionsWithErrors,
            errorCodes: partial.errorCodes, errorCodesOmitted: partial.errorCodesOmitted, closedByEvent: partial.closedByEvent,
            inactivityTimeouts: partial.inactivityTimeouts, maxDurations: partial.maxDurations, evicted: partial.evicted,
            flushed: partial.flushed)
        writer.key("elapsedMs")
        writer.beginObject()
        writer.key("count")
        writer.integer(partial.elapsed.count)
        writer.key("zeros")
        writer.integer(partial.elapsed.zeroCount)
        writer.key("min")
        writer.optionalInteger(partial.elapsed.minimum)
        writer.key("max")
        writer.optionalInteger(partial.elapsed.maximum)
        writer.key("relativeAccuracy")
        writer.number(partial.elapsed.relativeAccuracy)
        writer.key("binOffset")
        writer.integer(partial.elapsed.binOffset)
        writer.key("bins")
        writer.beginArray()
        for bin in partial.elapsed.bins { writer.integer(bin) }
        writer.endArray()
        writer.endObject()
        writer.endObject()
        bytes = writer.bytes
    }

    /// Appends the marker's JSON to `bytes`.
    public func encode(_ progress: WindowProgress, into bytes: inout [UInt8]) {
        var writer = WindowJSONWriter(into: bytes)
        bytes = []
        writer.beginObject()
        writer.key("schemaVersion")
        writer.integer(Self.schemaVersion)
        writer.key("type")
        writer.string("progress")
        writer.key("inputPartition")
        writer.integer(progress.inputPartition)
        writer.key("partitionCount")
        writer.integer(progress.partitionCount)
        writer.key("completeThrough")
        writer.integer(progress.completeThrough)
        writer.endObject()
        bytes = writer.bytes
    }

    /// The partial's JSON.
    public func encode(_ partial: WindowPartial) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(partial, into: &bytes)
        return bytes
    }

    /// The marker's JSON.
    public func encode(_ progress: WindowProgress) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(progress, into: &bytes)
        return bytes
    }

    /// The record key of a partial: its `windowStart` in decimal (informational: the processor
    /// picks the partials partition with ``WindowRouting``).
    public static func appendKey(of partial: WindowPartial, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(partial.windowStart).utf8)
    }

    /// The record key of a progress marker: its input partition in decimal.
    public static func appendKey(of progress: WindowProgress, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(progress.inputPartition).utf8)
    }
}
