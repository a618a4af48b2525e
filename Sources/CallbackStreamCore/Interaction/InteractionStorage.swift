/// The fixed fields of an ``InteractionState``, stored at the start of its heap block.
///
/// 52 bytes with 4-byte alignment (the 64-bit `elapsed` value is kept as two halves), so the
/// words that follow start right after it without padding.
@usableFromInline
struct InteractionHeader: Sendable {
    /// Words the block has room for (0 only in the shared empty blocks).
    var capacity: UInt32 = 0
    var nEvents: UInt16 = 0
    var nErrors: UInt16 = 0
    var nForm: UInt16 = 0
    var nAttributes: UInt16 = 0
    /// Event index the flags came from; `noEvent` = none yet.
    var metadataSource: UInt16 = InteractionState.noEvent
    /// Event index `elapsed` came from; `noEvent` = none.
    var elapsedSource: UInt16 = InteractionState.noEvent
    /// Bit per ``LifecycleEventName`` seen.
    var namesSeen: UInt8 = 0
    /// proactive 1, prefilled 2, autoSubmitted 4, keepFormValues 8.
    var flagBits: UInt8 = 0
    /// Order-dependent anomalies recorded while applying (`duplicate`, `outOfOrder`).
    var recordedAnomalies: AnomalySet = []
    var metadataPresent: UInt8 = 0
    var metadataConflict: UInt8 = 0
    var elapsedLow: UInt32 = 0
    var elapsedHigh: UInt32 = 0
    /// Low 32 bits of the metadata timestamps `opened, started, cancelled, completed, closed`
    /// (valid where the `metadataPresent` bit is set).
    var metadataTimestamps: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0)
}

/// The heap block of one ``InteractionState``: an ``InteractionHeader`` followed by the state's
/// `UInt32` words, in one allocation sized to what the session holds.
///
/// A ready-only session (one event, three attributes: 13 words) takes a 128-byte malloc chunk:
/// 16 bytes of object header, 52 of fixed fields, 52 of words, 8 of malloc's own header.
/// Empty states share one of two immortal blocks (``empty(keepFormValues:)``) and allocate on
/// their first event.
///
/// Not `Sendable` itself (`ManagedBuffer` cannot be): a block is only written through an
/// ``InteractionState`` that holds the only reference to it (the state copies it first
/// otherwise, like `Array`'s buffer), which is what makes the state `@unchecked Sendable`.
@usableFromInline
final class InteractionStorage: ManagedBuffer<InteractionHeader, UInt32> {
    // nonisolated(unsafe): created once, never written (every write copies a shared block first).
    nonisolated(unsafe) private static let emptyBlock = InteractionStorage.make(header: InteractionHeader(), capacity: 0)
    nonisolated(unsafe) private static let emptyKeepingFormValuesBlock = InteractionStorage.make(
        header: InteractionHeader(flagBits: 8), capacity: 0)

    /// The shared block of states without events.
    static func empty(keepFormValues: Bool) -> InteractionStorage {
        keepFormValues ? emptyKeepingFormValuesBlock : emptyBlock
    }

    /// A new block with `header` and room for at least `capacity` words (exactly 0 for `capacity` 0).
    static func make(header: InteractionHeader, capacity: Int) -> InteractionStorage {
        let block = unsafeDowncast(
            InteractionStorage.create(minimumCapacity: capacity) { _ in header }, to: InteractionStorage.self)
        // Use the whole malloc chunk (its usable size is at least what was asked for).
        block.fields.pointee.capacity = capacity == 0 ? 0 : UInt32(truncatingIfNeeded: min(block.capacity, Int(UInt32.max)))
        return block
    }

    /// A copy of this block's header and first `count` words in a new block with room for at
    /// least `capacity` (≥ `count`) words.
    func copy(count: Int, capacity: Int) -> InteractionStorage {
        let block = InteractionStorage.make(header: fields.pointee, capacity: max(capacity, 1))
        if count > 0 {
            block.words.update(from: words, count: count)
        }
        return block
    }

    /// The fixed fields, through a pointer: the `header` property of a class is subject to
    /// dynamic exclusivity checks on every access, this is not. Valid while the block is referenced.
    @inline(__always)
    var fields: UnsafeMutablePointer<InteractionHeader> {
        withUnsafeMutablePointerToHeader { $0 }
    }

    /// The first word. Valid while the block is referenced; no bounds are checked.
    @inline(__always)
    var words: UnsafeMutablePointer<UInt32> {
        withUnsafeMutablePointerToElements { $0 }
    }

    /// Offset of the first word from the start of the object: the 16-byte Swift object header
    /// (metadata pointer, reference counts), then the ``InteractionHeader``.
    static var wordsOffset: Int { 16 + MemoryLayout<InteractionHeader>.size }

    /// Bytes of the malloc chunk behind the block (glibc: 16-byte granules, 8-byte chunk header).
    var mallocChunkBytes: Int {
        max(32, (Self.wordsOffset + Int(fields.pointee.capacity) * 4 + 8 + 15) & ~15)
    }
}
