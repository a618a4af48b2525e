/// What was odd about a session (the summary's `anomalies`), as a bit set.
///
/// - `outOfOrder`: an event was applied whose timestamp is earlier than that of an event
///   applied before it (arrival order, duplicates ignored). The only anomaly that depends on
///   arrival order; every other summary field is the same for any arrival order.
/// - `duplicate`: an event arrived again (same `eventId`, or with no `eventId` the same
///   `event` and `timestamp`); it was counted once.
/// - `invalidTransition`: in timestamp order the events break the lifecycle: an event follows
///   one of a later stage (`ready` < `opened` < `started` < `submitted` < `cancelled`|`completed`
///   < `closed`), anything follows `closed` (including a second `closed`), both `cancelled` and
///   `completed` occur, `completed` without `submitted`, `submitted` without `started` (allowed
///   when the latest metadata says `autoSubmitted`), or `started`/`submitted`/`cancelled`/
///   `completed` without `opened`.
/// - `missingClosed`: the session ended without a `closed` event.
/// - `metadataMismatch`: a metadata timestamp (`opened`, `started`, `cancelled`, `completed`,
///   `closed`) differs from the timestamp of the session's (earliest) event of that name, or two
///   events' metadata give different values for the same field.
/// - `evicted`: the session store closed it early because the open-session cap was reached.
public struct AnomalySet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public static let outOfOrder = AnomalySet(rawValue: 1 << 0)
    public static let duplicate = AnomalySet(rawValue: 1 << 1)
    public static let invalidTransition = AnomalySet(rawValue: 1 << 2)
    public static let missingClosed = AnomalySet(rawValue: 1 << 3)
    public static let metadataMismatch = AnomalySet(rawValue: 1 << 4)
    public static let evicted = AnomalySet(rawValue: 1 << 5)

    /// Every anomaly with its wire name, in the contract's (rendering) order.
    public static let all: [(anomaly: AnomalySet, wireName: StaticString)] = [
        (.outOfOrder, "outOfOrder"),
        (.duplicate, "duplicate"),
        (.invalidTransition, "invalidTransition"),
        (.missingClosed, "missingClosed"),
        (.metadataMismatch, "metadataMismatch"),
        (.evicted, "evicted"),
    ]

    /// The wire names of the members, in rendering order (allocates; for tests and logs).
    public var wireNames: [String] {
        Self.all.filter { contains($0.anomaly) }.map { $0.wireName.description }
    }
}
