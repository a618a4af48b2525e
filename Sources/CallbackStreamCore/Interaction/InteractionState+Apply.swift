extension InteractionState {
    static let eventIdSeed: UInt64 = 0x4556_454E_5449_4431
    static let naturalKeySeed: UInt64 = 0x4E41_5455_5241_4C4B

    /// Applies one decoded event to the session.
    ///
    /// - Parameters:
    ///   - event: The event (a view; nothing of it is retained: strings are interned).
    ///   - symbols: The partition's symbol table (gains references for new values).
    ///   - limits: Caps on the session's size.
    /// - Returns: Whether the event was new, a duplicate, or refused by a limit.
    public mutating func apply(
        _ event: LifecycleEvent, symbols: inout SymbolTable, limits: InteractionLimits = InteractionLimits()
    ) -> ApplyResult {
        // A new state gets a block sized for exactly this event (later events grow it by 1.5×);
        // a shared block is copied.
        makeUnique(room: nEvents == 0 ? wordsNeeded(byFirst: event) : 0)
        let timestamp = min(max(event.timestamp, 0), LifecycleEvent.maxTimestamp)
        let order = UInt64(timestamp) << 3 | UInt64(event.name.rawValue)
        let hash: UInt64
        if let id = event.eventId {
            hash = StableHash.hash(id.bytes, seed: Self.eventIdSeed)
        } else {
            hash = StableHash.hash(UInt64(timestamp), UInt64(event.name.rawValue), seed: Self.naturalKeySeed)
        }
        let n = Int(nEvents)
        for i in 0..<n where uint64(at: i * Self.eventWords + 2) == hash {
            recordedAnomalies.insert(.duplicate)
            return .duplicate
        }
        guard n < limits.maxEvents, fitsLimits(event, symbols: symbols, limits: limits) else {
            return .limitExceeded
        }
        // Sorted by (timestamp, lifecycle order, hash); events usually arrive in order, so
        // search from the end.
        var position = n
        while position > 0 {
            let o = uint64(at: (position - 1) * Self.eventWords)
            if o < order || (o == order && uint64(at: (position - 1) * Self.eventWords + 2) < hash) { break }
            position -= 1
        }
        let outOfOrder = n > 0 && timestamp < Int64(uint64(at: (n - 1) * Self.eventWords) >> 3)
        if outOfOrder { recordedAnomalies.insert(.outOfOrder) }
        let at = position * Self.eventWords
        insertWords(Self.eventWords, at: at)
        setUInt64(order, at: at)
        setUInt64(hash, at: at + 2)
        nEvents += 1
        namesSeen |= event.name.bit
        if position < n { shiftSources(from: position) }

        let source = UInt16(truncatingIfNeeded: position)
        if let metadata = event.metadata { applyMetadata(metadata, source: source, symbols: &symbols) }
        for pair in event.attributes {
            upsert(.attributes, name: pair.name.bytes, value: pair.value.bytes, source: source, symbols: &symbols)
        }
        return .applied(outOfOrder: outOfOrder)
    }

    /// The words `event` adds to a state without events (at most: repeated names count twice).
    func wordsNeeded(byFirst event: LifecycleEvent) -> Int {
        var words = Self.eventWords + event.attributes.count * Self.attributeWords
        if let metadata = event.metadata {
            words += metadata.errors.count + (metadata.form?.count ?? 0) * formWords
        }
        return words
    }

    /// The sort key (timestamp·8 + name) of event entry `index`: the rank of values it supplied.
    @inline(__always)
    func order(ofEvent index: UInt16) -> UInt64 {
        uint64(at: Int(index) * Self.eventWords)
    }

    /// An event was inserted at `position`: source references at or after it move up by one.
    mutating func shiftSources(from position: Int) {
        let p = UInt16(truncatingIfNeeded: position)
        if metadataSource != Self.noEvent && metadataSource >= p { metadataSource += 1 }
        if elapsedSource != Self.noEvent && elapsedSource >= p { elapsedSource += 1 }
        if keepsFormValues {
            for i in 0..<Int(nForm) where words[formStart + i * 3 + 2] >= UInt32(p) { words[formStart + i * 3 + 2] += 1 }
        }
        let base = attributesStart
        for i in 0..<Int(nAttributes) where words[base + i * Self.attributeWords + 2] >= UInt32(p) {
            words[base + i * Self.attributeWords + 2] += 1
        }
    }

    /// Drops this state's references to symbols and empties it. Call once when the session is
    /// discarded (after its summary was rendered).
    public mutating func releaseSymbols(in symbols: inout SymbolTable) {
        for i in 0..<Int(nErrors) { symbols.release(SymbolID(rawValue: words[errorsStart + i])) }
        let fw = formWords
        for i in 0..<Int(nForm) {
            symbols.release(SymbolID(rawValue: words[formStart + i * fw]))
            if keepsFormValues { symbols.release(SymbolID(rawValue: words[formStart + i * fw + 1])) }
        }
        for i in 0..<Int(nAttributes) {
            symbols.release(SymbolID(rawValue: words[attributesStart + i * Self.attributeWords]))
            symbols.release(SymbolID(rawValue: words[attributesStart + i * Self.attributeWords + 1]))
        }
        self = InteractionState(keepFormValues: keepsFormValues)
    }

    // MARK: - Metadata

    mutating func applyMetadata(_ m: EventMetadata, source: UInt16, symbols: inout SymbolTable) {
        let flags: UInt8 = (m.proactive ? 1 : 0) | (m.prefilled ? 2 : 0) | (m.autoSubmitted ? 4 : 0)
        let rank = order(ofEvent: source)
        if metadataSource == Self.noEvent || rank > order(ofEvent: metadataSource) {
            flagBits = (flagBits & ~7) | flags
            metadataSource = source
        } else if rank == order(ofEvent: metadataSource) {
            flagBits |= flags
        }
        for slot in 0..<5 {
            guard let value = m.timestamp(for: Self.metadataName(slot)) else { continue }
            let bit: UInt8 = 1 << slot
            let low = UInt32(truncatingIfNeeded: value)
            if metadataPresent & bit == 0 {
                metadataPresent |= bit
                setMetadataTimestamp(slot, low)
            } else if metadataTimestamp(slot) != low {
                metadataConflict |= bit
            }
        }
        if let elapsed = m.elapsed {
            if elapsedSource == Self.noEvent || rank > order(ofEvent: elapsedSource) {
                elapsedValue = elapsed
                elapsedSource = source
            } else if rank == order(ofEvent: elapsedSource) {
                elapsedValue = max(elapsedValue, elapsed)
            }
        }
        for code in m.errors { insertIfAbsent(.errors, code.bytes, symbols: &symbols) }
        if let form = m.form {
            for field in form {
                if keepsFormValues {
                    upsert(.form, name: field.name.bytes, value: field.value.bytes, source: source, symbols: &symbols)
                } else {
                    insertIfAbsent(.form, field.name.bytes, symbols: &symbols)
                }
            }
        }
    }

    /// The metadata block's timestamp fields, by slot.
    static func metadataName(_ slot: Int) -> LifecycleEventName {
        switch slot {
        case 0: .opened
        case 1: .started
        case 2: .cancelled
        case 3: .completed
        default: .closed
        }
    }

    func metadataTimestamp(_ slot: Int) -> UInt32 {
        switch slot {
        case 0: storage.fields.pointee.metadataTimestamps.0
        case 1: storage.fields.pointee.metadataTimestamps.1
        case 2: storage.fields.pointee.metadataTimestamps.2
        case 3: storage.fields.pointee.metadataTimestamps.3
        default: storage.fields.pointee.metadataTimestamps.4
        }
    }

    mutating func setMetadataTimestamp(_ slot: Int, _ value: UInt32) {
        assertUnique()
        switch slot {
        case 0: storage.fields.pointee.metadataTimestamps.0 = value
        case 1: storage.fields.pointee.metadataTimestamps.1 = value
        case 2: storage.fields.pointee.metadataTimestamps.2 = value
        case 3: storage.fields.pointee.metadataTimestamps.3 = value
        default: storage.fields.pointee.metadataTimestamps.4 = value
        }
    }

    // MARK: - Sorted symbol sections

    /// A section of `words` holding entries sorted by the bytes of their first word's symbol.
    enum Section {
        case errors, form, attributes
    }

    func start(_ section: Section) -> Int {
        switch section {
        case .errors: errorsStart
        case .form: formStart
        case .attributes: attributesStart
        }
    }

    func count(_ section: Section) -> Int {
        switch section {
        case .errors: Int(nErrors)
        case .form: Int(nForm)
        case .attributes: Int(nAttributes)
        }
    }

    func stride(_ section: Section) -> Int {
        switch section {
        case .errors: 1
        case .form: formWords
        case .attributes: Self.attributeWords
        }
    }

    mutating func incrementCount(_ section: Section) {
        switch section {
        case .errors: nErrors += 1
        case .form: nForm += 1
        case .attributes: nAttributes += 1
        }
    }

    /// Binary search for `name` in `section`: whether it is there and its (insertion) index.
    func search(_ section: Section, _ name: UnsafeRawBufferPointer, symbols: SymbolTable) -> (found: Bool, index: Int) {
        let base = start(section)
        let width = stride(section)
        var lo = 0
        var hi = count(section)
        while lo < hi {
            let mid = (lo + hi) >> 1
            let c = symbols.compare(SymbolID(rawValue: words[base + mid * width]), name)
            if c < 0 {
                lo = mid + 1
            } else if c > 0 {
                hi = mid
            } else {
                return (true, mid)
            }
        }
        return (false, lo)
    }

    /// Adds `name` to a name-only section unless present.
    mutating func insertIfAbsent(_ section: Section, _ name: UnsafeRawBufferPointer, symbols: inout SymbolTable) {
        let (found, index) = search(section, name, symbols: symbols)
        if found { return }
        let id = symbols.intern(name)
        let at = start(section) + index * stride(section)
        insertWords(stride(section), at: at)
        words[at] = id.rawValue
        incrementCount(section)
    }

    /// Sets `name` → `value` in a valued section when the event at `source` is later than the
    /// one that supplied the stored value (ties: the bytewise larger value wins).
    mutating func upsert(
        _ section: Section, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, source: UInt16,
        symbols: inout SymbolTable
    ) {
        let (found, index) = search(section, name, symbols: symbols)
        let at = start(section) + index * stride(section)
        if found {
            let rank = order(ofEvent: source)
            let currentRank = order(ofEvent: UInt16(truncatingIfNeeded: words[at + 2]))
            guard rank >= currentRank else { return }
            let current = SymbolID(rawValue: words[at + 1])
            let comparison = symbols.compare(current, value)
            if comparison != 0 {
                guard rank > currentRank || comparison < 0 else { return }
                let replacement = symbols.intern(value)
                symbols.release(current)
                words[at + 1] = replacement.rawValue
            }
            words[at + 2] = UInt32(source)
            return
        }
        let key = symbols.intern(name)
        let stored = symbols.intern(value)
        insertWords(stride(section), at: at)
        words[at] = key.rawValue
        words[at + 1] = stored.rawValue
        words[at + 2] = UInt32(source)
        incrementCount(section)
    }

    /// Whether applying `event` keeps every section within `limits`.
    func fitsLimits(_ event: LifecycleEvent, symbols: SymbolTable, limits: InteractionLimits) -> Bool {
        let cap = limits.maxDistinctValues
        func fits(_ section: Section, _ names: some Collection<ByteView>) -> Bool {
            let current = count(section)
            if current + names.count <= cap { return true }
            var added = 0
            for name in names where !search(section, name.bytes, symbols: symbols).found { added += 1 }
            return current + added <= cap
        }
        if let m = event.metadata {
            guard fits(.errors, m.errors) else { return false }
            if let form = m.form, !fits(.form, form.lazy.map(\.name)) { return false }
        }
        return fits(.attributes, event.attributes.lazy.map(\.name))
    }
}
