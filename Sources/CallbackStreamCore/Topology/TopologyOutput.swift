/// One record the topology wants published, handed to the caller's emit callback.
///
/// `key` and `value` point into the topology's reusable buffers (or the input record for dead
/// letters) and are valid only during the callback.
public struct TopologyOutput {
    /// What the record is, with the facts the processor counts in its metrics.
    public enum Info {
        /// A session summary for the summaries topic (when `published` is false — a `notOpened`
        /// session by default — nothing is to be produced; it is only counted). `summaryID` is
        /// its id's UTF-8 bytes (empty when not published), valid only during the callback.
        case summary(summaryID: UnsafeRawBufferPointer, outcome: Outcome, closeReason: CloseReason, stages: FunnelStages, published: Bool)
        /// An input record for the dead-letter topic, with its reason. When ``TopologyOutput/original``
        /// is set, `value` is only a prefix of the record's value (see there).
        case deadLetter(code: RejectionCode, detail: String, sourceOffset: Int64)
        /// One tenant's partial aggregate of a window on this input partition, for the partials
        /// topic: produce it to partials partition
        /// ``WindowRouting/partialsPartition(windowStart:partialsPartitionCount:)`` (key: the
        /// window start in decimal).
        case partial(windowStart: Int64)
        /// A progress marker of this input partition, for the partials topic (key: the input
        /// partition in decimal), after the partials before it: it reports the windows of
        /// `windowSize` ms starting in `since ..< completeThrough` complete (`since` is the
        /// previous marker's `completeThrough`, `nil` for the first). Produce it to the partials
        /// partitions of those windows:
        /// ``WindowRouting/forEachProgressPartition(since:through:windowSize:partialsPartitionCount:_:)``.
        case progress(completeThrough: Int64, since: Int64?, windowSize: Int64)
    }

    public var key: UnsafeRawBufferPointer?
    public var value: UnsafeRawBufferPointer
    public var info: Info
    /// The session was closed early because the open-session cap was reached.
    public var evicted: Bool
    /// For a dead letter whose value was larger than the record limit: `value` is then only its
    /// first min(limit, 4096) bytes, and this describes the whole original value — for the
    /// dead-letter headers `original.size` and `original.sha256` (contract §1). Nil otherwise.
    public var original: DeadLetterOriginal? = nil
}

/// The size and hash of a dead letter's original value when only a prefix of it is published.
public struct DeadLetterOriginal: Sendable, Hashable {
    /// The original value's size in bytes (header `original.size`, in decimal).
    public var size: Int
    /// The SHA-256 of the whole original value as 64 lowercase hex digits (header `original.sha256`).
    public var sha256: String

    public init(size: Int, sha256: String) {
        self.size = size
        self.sha256 = sha256
    }
}

/// The lifecycle stages a summarized session reached, for the funnel metrics.
public struct FunnelStages: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let opened = FunnelStages(rawValue: 1)
    public static let started = FunnelStages(rawValue: 2)
    public static let submitted = FunnelStages(rawValue: 4)
    public static let completed = FunnelStages(rawValue: 8)

    /// The stages with their metric label, in funnel order.
    public static let labelled: [(stage: FunnelStages, label: String)] = [
        (.opened, "opened"), (.started, "started"), (.submitted, "submitted"), (.completed, "completed"),
    ]
}
