/// What a ``WindowMerger`` hands back, in order.
public enum WindowMergeOutput: Sendable, Hashable {
    /// A final stats record for the stats topic (`schemaVersion` 2): `key` is the tenant's UTF-8
    /// bytes (empty when none), `value` the record's JSON.
    case stats(WindowStatsRecord, key: [UInt8], value: [UInt8])
    /// An error-spike alert for the alerts topic (`schemaVersion` 2), right after its group's
    /// stats record: `key` is the tenant's UTF-8 bytes, `value` the alert's JSON.
    case alert(ErrorSpikeAlert, key: [UInt8], value: [UInt8])
    /// A partial arrived for a window already published (after the merge timeout, or before the
    /// checkpoint restored): counted in ``WindowMergerMetrics/latePartials``, not merged. For a
    /// log line.
    case latePartial(inputPartition: Int32, tenant: String?, windowStart: Int64, publishedThrough: Int64)

    /// The window this output belongs to.
    public var windowStart: Int64 {
        switch self {
        case let .stats(record, _, _): record.windowStart
        case let .alert(alert, _, _): alert.windowStart
        case let .latePartial(_, _, windowStart, _): windowStart
        }
    }
}

/// What the merge consumer commits: the offset, and as commit metadata how far the published
/// records were acknowledged and how far the merger had read (``WindowMerger/checkpoint``,
/// ``WindowMerger/restore(_:)``).
public struct WindowMergerCheckpoint: Sendable, Hashable {
    /// The partials-topic offset to commit (the next one to read after a restart).
    public var offset: Int64
    /// Every window ending at or before this is published and its records acknowledged.
    public var publishedThrough: Int64?
    /// The offset after the last value the merger had read.
    public var readThrough: Int64?

    /// Creates a checkpoint.
    public init(offset: Int64, publishedThrough: Int64?, readThrough: Int64?) {
        self.offset = offset
        self.publishedThrough = publishedThrough
        self.readThrough = readThrough
    }

    /// The commit metadata: `wm1 p=<publishedThrough> r=<readThrough>` (`-` for none).
    public var metadata: String {
        "wm1 p=\(publishedThrough.map(String.init) ?? "-") r=\(readThrough.map(String.init) ?? "-")"
    }

    /// Reads ``metadata`` back for the committed `offset`; `nil` when it is not ours (then start
    /// with a fresh merger: windows before the offset may be published again, incomplete).
    public init?(offset: Int64, metadata: String) {
        let parts = metadata.split(separator: " ")
        guard parts.count == 3, parts[0] == "wm1", parts[1].hasPrefix("p="), parts[2].hasPrefix("r=") else { return nil }
        func value(_ part: Substring) -> Int64?? {
            let text = part.dropFirst(2)
            if text == "-" { return .some(nil) }
            guard let number = Int64(text) else { return nil }
            return .some(number)
        }
        guard let published = value(parts[1]), let read = value(parts[2]) else { return nil }
        self.init(offset: offset, publishedThrough: published, readThrough: read)
    }
}
