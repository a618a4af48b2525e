/// A decoded value of the partials topic.
public enum PartialMessage: Sendable, Hashable {
    case partial(WindowPartial)
    case progress(WindowProgress)
}

/// Reads what ``WindowPartialEncoder`` writes (`schemas/stats-partial.schema.json`), for the
/// merge stage. Strict and safe: anything that is not a well-formed, consistent partial or
/// marker of `schemaVersion` 1 is `nil` (the merger counts it as rejected), never a trap —
/// including oversized documents, deep nesting, numbers out of range, negative counts,
/// outcome names it does not know, counts that do not add up, and sketches whose bins do not
/// match their count. Unknown extra fields are ignored (forward compatibility).
public struct WindowPartialDecoder: Sendable {
    /// Largest accepted value (a partial with the maximum of 8,192 sketch bins stays well below).
    public static let maximumBytes = 1 << 20
    /// Largest accepted input partition count.
    public static let maximumPartitionCount: Int32 = 100_000

    /// The outcome names a partial must list (each exactly once, in any order).
    public let outcomeLabels: [String]

    /// Creates a decoder for partials whose outcomes are `outcomeLabels`.
    public init(outcomeLabels: [String] = WindowConfiguration.contractOutcomeLabels) {
        self.outcomeLabels = outcomeLabels
    }

    /// Decodes one value, or returns `nil`.
    public func decode(_ bytes: UnsafeRawBufferPointer) -> PartialMessage? {
        guard bytes.count <= Self.maximumBytes, let document = MergeJSON.parse(bytes),
              document["schemaVersion"]?.int64 == Int64(WindowPartialEncoder.schemaVersion),
              let partition = Self.int32(document["inputPartition"]), partition >= 0,
              let count = Self.int32(document["partitionCount"]), count > partition,
              count <= Self.maximumPartitionCount
        else { return nil }
        switch document["type"]?.string {
        case "progress":
            guard let through = document["completeThrough"]?.int64 else { return nil }
            return .progress(WindowProgress(inputPartition: partition, partitionCount: count, completeThrough: through))
        case "partial":
            return partial(document, partition: partition, count: count).map(PartialMessage.partial)
        default:
            return nil
        }
    }

    /// Decodes one value, or returns `nil`.
    public func decode(_ bytes: [UInt8]) -> PartialMessage? {
        bytes.withUnsafeBytes { decode($0) }
    }

    private static func int32(_ value: MergeJSON?) -> Int32? {
        value?.int64.flatMap { Int32(exactly: $0) }
    }

    /// A count: an integer in `0 ... Int32.max` (far above any real window).
    private static func count(_ value: MergeJSON?) -> Int? {
        guard let value = value?.int64, value >= 0, value <= Int64(Int32.max) else { return nil }
        return Int(value)
    }

    private func partial(_ document: MergeJSON, partition: Int32, count partitionCount: Int32) -> WindowPartial? {
        guard let start = document["windowStart"]?.int64, let end = document["windowEnd"]?.int64,
              case let (length, overflow) = end.subtractingReportingOverflow(start), !overflow, length > 0,
              let tenantValue = document["tenant"], tenantValue.isNull || tenantValue.string != nil,
              let sessions = Self.count(document["sessions"]), sessions > 0,
              let submissions = Self.count(document["submissions"]), submissions <= sessions,
              let withErrors = Self.count(document["submissionsWithErrors"]), withErrors <= submissions,
              let omitted = Self.count(document["errorCodesOmitted"]),
              let closeReasons = document["closeReasons"],
              let closed = Self.count(closeReasons["closed"]),
              let timeouts = Self.count(closeReasons["inactivityTimeout"]),
              let maxDurations = closeReasons["maxDuration"].map({ Self.count($0) }) ?? 0, closed + timeouts + maxDurations == sessions,
              let evicted = Self.count(document["evicted"]), evicted <= sessions,
              let flushed = Self.count(document["flushed"]), flushed <= sessions,
              case let .object(outcomeMembers)? = document["outcomes"], outcomeMembers.count == outcomeLabels.count,
              let codeValues = document["errorCodes"]?.array,
              let elapsed = sketch(document["elapsedMs"]), elapsed.count <= Int64(sessions)
        else { return nil }
        var outcomes: [StatsCount] = []
        outcomes.reserveCapacity(outcomeLabels.count)
        var outcomeTotal = 0
        for label in outcomeLabels {
            guard let value = Self.count(outcomeMembers.first(where: { $0.key == label })?.value) else { return nil }
            outcomes.append(StatsCount(name: label, count: value))
            outcomeTotal += value
        }
        guard outcomeTotal == sessions else { return nil }
        var codes: [StatsCount] = []
        codes.reserveCapacity(codeValues.count)
        for entry in codeValues {
            guard let code = entry["code"]?.string, let value = Self.count(entry["count"]), value > 0, value <= sessions,
                  codes.last.map({ $0.name.utf8.lexicographicallyPrecedes(code.utf8) }) ?? true
            else { return nil }
            codes.append(StatsCount(name: code, count: value))
        }
        return WindowPartial(
            inputPartition: partition, partitionCount: partitionCount, tenant: tenantValue.string,
            windowStart: start, windowEnd: end, sessions: sessions, outcomes: outcomes,
            submissions: submissions, submissionsWithErrors: withErrors, errorCodes: codes,
            errorCodesOmitted: omitted, closedByEvent: closed, inactivityTimeouts: timeouts, maxDurations: maxDurations,
            evicted: evicted, flushed: flushed, elapsed: elapsed)
    }

    private func sketch(_ value: MergeJSON?) -> DDSketch? {
        guard let value, let count = value["count"]?.int64, count >= 0,
              let zeros = value["zeros"]?.int64, zeros >= 0,
              let minimumValue = value["min"], let maximumValue = value["max"],
              let accuracy = value["relativeAccuracy"]?.double,
              let offset = value["binOffset"]?.int64, let offsetInt = Int(exactly: offset),
              let binValues = value["bins"]?.array, binValues.count <= DDSketch.maximumBinCount
        else { return nil }
        var bins: [UInt32] = []
        bins.reserveCapacity(binValues.count)
        for bin in binValues {
            guard let number = bin.int64, let counter = UInt32(exactly: number) else { return nil }
            bins.append(counter)
        }
        let minimum = minimumValue.isNull ? nil : minimumValue.int64
        let maximum = maximumValue.isNull ? nil : maximumValue.int64
        guard minimumValue.isNull || minimum != nil, maximumValue.isNull || maximum != nil,
              let sketch = DDSketch(relativeAccuracy: accuracy, zeroCount: zeros, minimum: minimum, maximum: maximum, binOffset: offsetInt, bins: bins),
              sketch.count == count
        else { return nil }
        return sketch
    }
}
