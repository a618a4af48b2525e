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
        OutputBuffer.appending(to: &bytes, capacity: 1024) { encode(partial, into: &$0) }
    }

    /// Appends the partial's JSON to `out`.
    public func encode(_ partial: WindowPartial, into out: inout OutputBuffer) {
        Self.appendHead(
            inputPartition: partial.inputPartition, partitionCount: partial.partitionCount, windowStart: partial.windowStart,
            windowEnd: partial.windowEnd, into: &out)
        out.appendWindowJSONString(partial.tenant)
        out.append(",\"sessions\":")
        out.appendDecimal(partial.sessions)
        out.appendSessionCounts(
            outcomes: partial.outcomes, submissions: partial.submissions, submissionsWithErrors: partial.submissionsWithErrors,
            errorCodes: partial.errorCodes, errorCodesOmitted: partial.errorCodesOmitted, closedByEvent: partial.closedByEvent,
            inactivityTimeouts: partial.inactivityTimeouts, maxDurations: partial.maxDurations, evicted: partial.evicted,
            flushed: partial.flushed)
        Self.appendElapsed(partial.elapsed, into: &out)
    }

    /// Appends a partial's fields up to the tenant's value:
    /// `{"schemaVersion":1,"type":"partial","inputPartition":…,"partitionCount":…,"windowStart":…,"windowEnd":…,"tenant":`.
    static func appendHead(inputPartition: Int32, partitionCount: Int32, windowStart: Int64, windowEnd: Int64, into out: inout OutputBuffer) {
        out.appendReserved(upTo: 120 + 5 * OutputBuffer.maximumDecimalLength) { room in
            room.append("{\"schemaVersion\":")
            room.appendDecimal(schemaVersion)
            room.append(",\"type\":\"partial\",\"inputPartition\":")
            room.appendDecimal(Int(inputPartition))
            room.append(",\"partitionCount\":")
            room.appendDecimal(Int(partitionCount))
            room.append(",\"windowStart\":")
            room.appendDecimal(windowStart)
            room.append(",\"windowEnd\":")
            room.appendDecimal(windowEnd)
            room.append(",\"tenant\":")
        }
    }

    /// Appends a partial's last field and closes it:
    /// `,"elapsedMs":{"count":…,"zeros":…,"min":…,"max":…,"relativeAccuracy":…,"binOffset":…,"bins":[…]}}`.
    static func appendElapsed(_ sketch: DDSketch, into out: inout OutputBuffer) {
        out.appendReserved(upTo: 40 + 4 * OutputBuffer.maximumDecimalLength) { room in
            room.append(",\"elapsedMs\":{\"count\":")
            room.appendDecimal(sketch.count)
            room.append(",\"zeros\":")
            room.appendDecimal(sketch.zeroCount)
            room.append(",\"min\":")
            room.appendJSONInteger(sketch.minimum)
            room.append(",\"max\":")
            room.appendJSONInteger(sketch.maximum)
        }
        out.append(",\"relativeAccuracy\":")
        out.appendJSONNumber(sketch.relativeAccuracy)
        out.append(",\"binOffset\":")
        out.appendDecimal(sketch.binOffset)
        out.append(",\"bins\":[")
        sketch.withBins { bins in
            // A bin is a UInt32: at most 10 digits and a comma.
            out.appendReserved(upTo: 11 * bins.count + 3) { room in
                for (position, bin) in bins.enumerated() {
                    if position > 0 { room.append(UInt8(ascii: ",")) }
                    room.appendDecimal(magnitude: UInt64(bin))
                }
                room.append("]}}")
            }
        }
    }

    /// Appends the marker's JSON to `bytes`.
    public func encode(_ progress: WindowProgress, into bytes: inout [UInt8]) {
        OutputBuffer.appending(to: &bytes, capacity: 128) { encode(progress, into: &$0) }
    }

    /// Appends the marker's JSON to `out`.
    public func encode(_ progress: WindowProgress, into out: inout OutputBuffer) {
        out.appendReserved(upTo: 100 + 4 * OutputBuffer.maximumDecimalLength) { room in
            room.append("{\"schemaVersion\":")
            room.appendDecimal(Self.schemaVersion)
            room.append(",\"type\":\"progress\",\"inputPartition\":")
            room.appendDecimal(Int(progress.inputPartition))
            room.append(",\"partitionCount\":")
            room.appendDecimal(Int(progress.partitionCount))
            room.append(",\"completeThrough\":")
            room.appendDecimal(progress.completeThrough)
            room.append(UInt8(ascii: "}"))
        }
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

    /// The record key of a partial (``appendKey(of:into:)-(WindowPartial,_)``) into `out`.
    public static func appendKey(of partial: WindowPartial, into out: inout OutputBuffer) {
        out.appendDecimal(partial.windowStart)
    }

    /// The record key of a progress marker (``appendKey(of:into:)-(WindowProgress,_)``) into `out`.
    public static func appendKey(of progress: WindowProgress, into out: inout OutputBuffer) {
        out.appendDecimal(Int(progress.inputPartition))
    }
}
