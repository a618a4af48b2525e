/// Decodes lifecycle event records (key bytes + value bytes) into zero-copy ``LifecycleEvent``
/// views, or into a ``Rejection`` with the contract's dead-letter code.
///
/// A hand-written single-pass UTF-8 JSON reader over the raw bytes: no Foundation, no
/// intermediate document tree, and no heap allocation per record (its scratch buffers are
/// allocated once, at init, and reused). It validates the whole value as JSON (including UTF-8
/// and `\u` surrogate pairs), reads exactly the contract's fields, skips unknown ones, and never
/// traps on any input.
///
/// Rejection precedence: `too_large` (size) → `invalid_json` / `too_large` (depth) →
/// the first `bad_type` / `unknown_event` / `too_large` (list entries) in document order →
/// `missing_field` (in the order `interactionId`, `event`, `timestamp`) → `key_mismatch`.
///
/// Not thread-safe: use one decoder per partition worker. The events it returns borrow its
/// scratch space and are valid until the next `decode` call.
public final class LifecycleEventDecoder {
    /// The limits this decoder enforces.
    public let limits: DecoderLimits

    private let scratch: UnsafeMutablePointer<UInt8>
    private let errorStore: UnsafeMutablePointer<ByteView>
    private let formStore: UnsafeMutablePointer<ByteView>
    private let attributeStore: UnsafeMutablePointer<ByteView>
    /// See ``EventParser/predictsKeys``.
    let predictsKeys: Bool

    /// Creates a decoder, allocating its scratch space once (about `maxRecordBytes` plus
    /// 80 bytes per list entry limit).
    public convenience init(limits: DecoderLimits = DecoderLimits()) {
        self.init(limits: limits, predictsKeys: true)
    }

    /// Creates a decoder that predicts member keys or (`predictsKeys: false`, for tests that
    /// prove prediction changes nothing) always reads them in full.
    init(limits: DecoderLimits, predictsKeys: Bool) {
        self.limits = limits
        self.predictsKeys = predictsKeys
        // Not zero-filled: only bytes the parser wrote are ever read (unescaped strings), and
        // untouched pages stay out of the RSS — most records never need scratch at all, and the
        // processor has one decoder per partition (128 × 64 KiB would be 8 MiB resident).
        scratch = .allocate(capacity: limits.maxRecordBytes)
        errorStore = .allocate(capacity: limits.maxListEntries)
        errorStore.initialize(repeating: .empty, count: limits.maxListEntries)
        formStore = .allocate(capacity: 2 * limits.maxListEntries)
        formStore.initialize(repeating: .empty, count: 2 * limits.maxListEntries)
        attributeStore = .allocate(capacity: 2 * limits.maxListEntries)
        attributeStore.initialize(repeating: .empty, count: 2 * limits.maxListEntries)
    }

    deinit {
        scratch.deallocate()
        errorStore.deallocate()
        formStore.deallocate()
        attributeStore.deallocate()
    }

    /// Decodes one record.
    ///
    /// - Parameters:
    ///   - key: The record key (must equal `interactionId`); `nil` for a record without a key,
    ///     which is rejected with `key_mismatch`.
    ///   - value: The record value.
    /// - Returns: The event (valid while `key`/`value` memory is alive and until the next call)
    ///   or the rejection.
    public func decode(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) -> DecodeResult {
        do {
            return .event(try decodeEvent(key: key, value: value))
        } catch {
            return .rejected(error)
        }
    }

    /// Decodes one record as ``decode(key:value:)`` does, returning the event itself and throwing
    /// the rejection: the per-record path of the topology uses this one, since returning the
    /// event in a ``DecodeResult`` and binding it out of the enum again copies all of it twice
    /// (and decoding into a `var` copies it once more when it is passed on), while a returned
    /// event is built in its caller's constant.
    ///
    /// - Returns: The event (valid as for ``decode(key:value:)``).
    /// - Throws: The rejection.
    public func decodeEvent(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) throws(Rejection) -> LifecycleEvent {
        guard value.count <= limits.maxRecordBytes else {
            throw Rejection(
                code: .tooLarge, detail: "record value is \(value.count) bytes, the limit is \(limits.maxRecordBytes)")
        }
        guard value.count > 0 else {
            throw Rejection(code: .invalidJSON, detail: "invalid JSON at byte 0: empty record value")
        }
        var parser = EventParser(
            value: value, maxDepth: limits.maxDepth, maxListEntries: limits.maxListEntries,
            scratch: scratch, errorStore: errorStore, formStore: formStore, attributeStore: attributeStore,
            predictsKeys: predictsKeys)
        do {
            try parser.parseRecord()
        } catch {
            throw error.rejection
        }
        if let problem = parser.problem { throw problem.rejection }
        guard let interactionId = parser.interactionId else { throw missing("interactionId") }
        guard let name = parser.eventName else { throw missing("event") }
        guard let timestamp = parser.timestamp else { throw missing("timestamp") }
        guard let key else {
            throw Rejection(code: .keyMismatch, detail: "record has no key; expected the interactionId")
        }
        guard ByteComparison.equal(key, interactionId.bytes) else {
            throw Rejection(code: .keyMismatch, detail: "record key differs from interactionId")
        }
        // Completed in place (copying the metadata costs a memcpy call).
        if parser.hasMetadata {
            parser.metadata.errors = ByteViewList(base: UnsafePointer(errorStore), count: parser.errorCount)
            parser.metadata.form =
                parser.hasForm ? ByteViewPairList(base: UnsafePointer(formStore), count: parser.formCount) : nil
        }
        return LifecycleEvent(
            interactionId: interactionId,
            name: name,
            timestamp: timestamp,
            eventId: parser.eventId,
            metadata: parser.hasMetadata ? parser.metadata : nil,
            attributes: ByteViewPairList(base: UnsafePointer(attributeStore), count: parser.attributeCount))
    }

    /// Decodes a record held in arrays and passes the result to `body` (the event is valid only
    /// inside `body`). Convenient for tests and tools.
    public func decode<R>(key: [UInt8]?, value: [UInt8], _ body: (DecodeResult) throws -> R) rethrows -> R {
        try value.withUnsafeBytes { v in
            if let key {
                return try key.withUnsafeBytes { k in try body(decode(key: k, value: v)) }
            }
            return try body(decode(key: nil, value: v))
        }
    }

    private func missing(_ field: StaticString) -> Rejection {
        DecodeFailure(code: .missingField, message: "", field: field).rejection
    }
}
