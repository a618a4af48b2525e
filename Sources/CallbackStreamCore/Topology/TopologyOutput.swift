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
        /// An input record for the dead-letter topic, with its reason.
        case deadLetter(code: RejectionCode, detail: String, sourceOffset: Int64)
        /// One tenant's partial aggregate of a window on this input partition, for the partials
        /// topic: produce it to partials partition
        /// ``WindowRouting/partialsPartition(windowStart:partialsPartitionCount:)`` (key: the
        /// window start in decimal).
        case partial(windowStart: Int64)
        /// A progress marker of this input partition, for the partials topic: produce it to
        /// **every** partials partition (``WindowRouting/progressPartitions(partialsPartitionCount:)``),
        /// after the partials before it (key: the input partition in decimal).
        case progress(completeThrough: Int64)
    }

    public var key: UnsafeRawBufferPointer?
    public var value: UnsafeRawBufferPointer
    public var info: Info
    /// The session was closed early because the open-session cap was reached.
    public var evicted: Bool
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
