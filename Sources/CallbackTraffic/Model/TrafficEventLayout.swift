/// How one event's JSON is laid out: member order, extra unknown members, whitespace.
///
/// Real producers do not agree on member order or whitespace and add fields the processor does
/// not know; the generator varies these so the decoder is exercised on all of them.
public struct TrafficEventLayout: Sendable, Equatable {
    /// Which of `TrafficEventLayout.topLevelOrderCount` member orders of the top-level object (0 is
    /// `interactionId, event, timestamp, eventId, metadata, attributes`).
    public var topLevelOrder: UInt8
    /// 0: the seed's metadata order; 1: alphabetical.
    public var metadataOrder: UInt8
    /// 0: none; 1…`unknownFieldVariantCount`: which unknown member(s) to add (top level or in metadata).
    public var unknownField: UInt8
    /// Writes `", "` and `": "` instead of `","` and `":"`.
    public var spaced: Bool

    /// Number of top-level member orders.
    public static let topLevelOrderCount: UInt8 = 4
    /// Number of unknown-field variants.
    public static let unknownFieldVariantCount: UInt8 = 4
    /// Canonical compact layout with no unknown fields.
    public static let canonical = TrafficEventLayout(topLevelOrder: 0, metadataOrder: 0, unknownField: 0, spaced: false)

    /// Creates a layout.
    public init(topLevelOrder: UInt8, metadataOrder: UInt8, unknownField: UInt8, spaced: Bool) {
        self.topLevelOrder = topLevelOrder
        self.metadataOrder = metadataOrder
        self.unknownField = unknownField
        self.spaced = spaced
    }
}
