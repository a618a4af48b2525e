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
        // The metadata block is copied once and handed on in place (`&metadata!`): binding it
        // with `if let` or `switch` copies its 137 bytes twice, and so does every
        // `event.metadata?.…` access.
        var metadata = event.metadata
        if metadata != nil {
            return apply(event, metadata: &metadata!, hasMetadata: true, symbols: &symbols, limits: limits)
        }
        // An all-false block stands in; it is never applied (`hasMetadata` is false).
        var none = EventMetadata()
        return apply(event, metadata: &none, hasMetadata: false, symbols: &symbols, limits: limits)
    }

    /// ``apply(_:symbols:limits:)`` with the event's metadata block (`metadata`, when `hasMetadata`).
    ///
    /// `metadata` is `inout` only to be passed by reference; it is not changed.
    private mutating func apply(
        _ event: LifecycleEvent, metadata: inout EventMetadata, hasMetadata: Bool, symbols: inout SymbolTable,
        limits: InteractionLimits
    ) -> ApplyResult {
        let errorCount = hasMetadata ? metadata.errors.count : 0
        let formCount = hasMetadata ? metadata.form?.count ?? 0 : 0
        // A new state gets a block sized for exactly this event (later events grow it: `insertWords`);
        // a shared block is copied. (At most: repeated names count twice.)
        makeUnique(room: nEvents == 0
            ? Self.eventWords + event.attributes.count * Self.attributeWords + errorCount + formCount * formWords : 0)
        let timestamp = min(max(event.timestamp, 0), LifecycleEvent.maxTimestamp)
        let order = UInt64(timestamp) << 3 | UInt64(event.name.rawValue)
        let hash: UInt64
        if let id = event.eventId {
            hash = StableHash.hash(id.bytes, seed: Self.eventIdSeed)
        } else {
            hash = StableHash.hash(UInt64(timestamp), UInt64(event.name.rawValue), seed: Self.naturalKeySeed)
        }
        let n = Int(nEvents)
        // The low halves first: most entries differ there. (Wrapping arithmetic: word indices of
        // the events, below the block's 32-bit capacity.)
        let hashLow = UInt32(truncatingIfNeeded: hash)
        let hashHigh = UInt32(truncatingIfNeeded: hash >> 32)
        for i in 0..<n
        where words[i &* Self.eventWords &+ 2] == hashLow && words[i &* Self.eventWords &+ 3] == hashHigh {
            recordedAnomalies.insert(.duplicate)
            return .duplicate
        }
        // Even if every name were new, each section would stay within the cap: no need to look.
        let cap = limits.maxDistinctValues
        let fitsAnyway = Int(nErrors) + errorCount <= cap && Int(nForm) + formCount <= cap
            && Int(nAttributes) + event.attributes.count <= cap
        guard n < limits.maxEvents,
              fitsAnyway || fitsLimits(event, metadata: &metadata, hasMetadata: hasMetadata, symbols: symbols, limits: limits)
        else {
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
        namesSeen |= 1 << event.name.rawValue  // `event.name.bit`, which is not inlined here
        if position < n { shiftSources(from: position) }

        let source = UInt16(truncatingIfNeeded: position)
        if hasMetadata { applyMetadata(&metadata, source: source, symbols: &symbols) }
        upsertAll(.attributes, event.attributes, source: source, symbols: &symbols)
        return .applied(outOfOrder: outOfOrder)
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
        // In the order of the sections' words: each error code; each form name (and its value);
        // each attribute's key and value.
        let base = UnsafePointer(storage.words)
        symbols.release(entriesAt: base + errorsStart, count: Int(nErrors), stride: 1, perEntry: 1)
        symbols.release(entriesAt: base + formStart, count: Int(nForm), stride: formWords, perEntry: keepsFormValues ? 2 : 1)
        symbols.release(entriesAt: base + attributesStart, count: Int(nAttributes), stride: Self.attributeWords, perEntry: 2)
        self = InteractionState(keepFormValues: keepsFormValues)
    }

    // MARK: - Metadata

    /// Merges metadata block `m` of the event at `source` into the state. (`m` is `inout` only to
    /// be passed by reference, see ``apply(_:symbols:limits:)``; it is not changed.)
    mutating func applyMetadata(_ m: inout EventMetadata, source: UInt16, symbols: inout SymbolTable) {
        let fields = storage.fields
        let flags: UInt8 = (m.proactive ? 1 : 0) | (m.prefilled ? 2 : 0) | (m.autoSubmitted ? 4 : 0)
        let rank = order(ofEvent: source)
        let metadataSource = fields.pointee.metadataSource
        if metadataSource == Self.noEvent || rank > order(ofEvent: metadataSource) {
            fields.pointee.flagBits = (fields.pointee.flagBits & ~7) | flags
            fields.pointee.metadataSource = source
        } else if rank == order(ofEvent: metadataSource) {
            fields.pointee.flagBits |= flags
        }
        if let value = m.opened { Self.noteMetadataTimestamp(value, slot: 0, in: fields) }
        if let value = m.started { Self.noteMetadataTimestamp(value, slot: 1, in: fields) }
        if let value = m.cancelled { Self.noteMetadataTimestamp(value, slot: 2, in: fields) }
        if let value = m.completed { Self.noteMetadataTimestamp(value, slot: 3, in: fields) }
        if let value = m.closed { Self.noteMetadataTimestamp(value, slot: 4, in: fields) }
        if let elapsed = m.elapsed {
            let elapsedSource = fields.pointee.elapsedSource
            if elapsedSource == Self.noEvent || rank > order(ofEvent: elapsedSource) {
                elapsedValue = elapsed
                fields.pointee.elapsedSource = source
            } else if rank == order(ofEvent: elapsedSource) {
                elapsedValue = max(elapsedValue, elapsed)
            }
        }
        if m.errors.count > 0 { insertAllAbsent(.errors, m.errors, symbols: &symbols) }
        if let form = m.form {
            if keepsFormValues {
                upsertAll(.form, form, source: source, symbols: &symbols)
            } else {
                insertAllAbsent(.form, form, symbols: &symbols)
            }
        }
    }

    /// Records metadata timestamp `value` for `slot` (a constant at every call, so the switches
    /// fold away): the first one is kept, a later different one marks the slot as conflicting.
    @inline(__always)
    static func noteMetadataTimestamp(_ value: Int64, slot: Int, in fields: UnsafeMutablePointer<InteractionHeader>) {
        let bit: UInt8 = 1 << slot
        let low = UInt32(truncatingIfNeeded: value)
        if fields.pointee.metadataPresent & bit == 0 {
            fields.pointee.metadataPresent |= bit
            switch slot {
            case 0: fields.pointee.metadataTimestamps.0 = low
            case 1: fields.pointee.metadataTimestamps.1 = low
            case 2: fields.pointee.metadataTimestamps.2 = low
            case 3: fields.pointee.metadataTimestamps.3 = low
            default: fields.pointee.metadataTimestamps.4 = low
            }
            return
        }
        let stored: UInt32
        switch slot {
        case 0: stored = fields.pointee.metadataTimestamps.0
        case 1: stored = fields.pointee.metadataTimestamps.1
        case 2: stored = fields.pointee.metadataTimestamps.2
        case 3: stored = fields.pointee.metadataTimestamps.3
        default: stored = fields.pointee.metadataTimestamps.4
        }
        if stored != low { fields.pointee.metadataConflict |= bit }
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

    // MARK: - Sorted symbol sections

    /// A section of `words` holding entries sorted by the bytes of their first word's symbol.
    enum Section {
        case errors, form, attributes
    }

    @inline(__always)
    func start(_ section: Section) -> Int {
        switch section {
        case .errors: errorsStart
        case .form: formStart
        case .attributes: attributesStart
        }
    }

    @inline(__always)
    func count(_ section: Section) -> Int {
        switch section {
        case .errors: Int(nErrors)
        case .form: Int(nForm)
        case .attributes: Int(nAttributes)
        }
    }

    @inline(__always)
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

    /// Sections up to this size are scanned for an entry of equal bytes (a length test rejects
    /// most entries at once) before the binary search, which then only runs for a name that is
    /// not there, to find its insertion index. Larger ones are only binary searched.
    static let linearSearchLimit = 16

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

    /// The index of the entry called `name` among the `count` entries of `width` words at
    /// `entries`, found by comparing bytes for equality (`nil` if there is none). Only for
    /// sections of at most ``linearSearchLimit`` entries.
    ///
    /// The entry at `hint` is tried first, and `hint` is left just after the entry found: an
    /// event lists its names in the same order every time (the producer's), so after the first
    /// name the next is usually the next entry (sorted order, possibly rotated).
    @inline(__always)
    static func scan(
        for name: UnsafeRawBufferPointer, in entries: UnsafeMutablePointer<UInt32>, count: Int, width: Int,
        hint: inout Int, view: SymbolTable.UnsafeView
    ) -> Int? {
        // Wrapping arithmetic: indices are below `count` ≤ ``linearSearchLimit``.
        let first = hint < count ? hint : 0
        if count > 0, view.equalsLive(SymbolID(rawValue: entries[first &* width]), name) {
            hint = first &+ 1
            return first
        }
        var entry = entries
        for i in 0..<count {
            if i != first, view.equalsLive(SymbolID(rawValue: entry.pointee), name) {
                hint = i &+ 1
                return i
            }
            entry += width
        }
        return nil
    }

    /// Adds every error code of `codes` that `section` (name-only) lacks, in order.
    mutating func insertAllAbsent(_ section: Section, _ codes: ByteViewList, symbols: inout SymbolTable) {
        insertAllAbsent(section, count: codes.count, symbols: &symbols) { codes[$0].bytes }
    }

    /// Adds every name of `pairs` that `section` (name-only) lacks, in order.
    mutating func insertAllAbsent(_ section: Section, _ pairs: ByteViewPairList, symbols: inout SymbolTable) {
        insertAllAbsent(section, count: pairs.count, symbols: &symbols) { pairs[$0].name.bytes }
    }

    /// Adds every name `name(0..<count)` that `section` (name-only) lacks, in order.
    @inline(__always)
    mutating func insertAllAbsent(
        _ section: Section, count nameCount: Int, symbols: inout SymbolTable, name: (Int) -> UnsafeRawBufferPointer
    ) {
        if count(section) == 0, insertAllIntoEmpty(section, count: nameCount, symbols: &symbols, name: name) { return }
        var i = 0
        while i < nameCount {
            // The names already there (usually all of them), without touching the table.
            if count(section) <= Self.linearSearchLimit {
                let entries = storage.words + start(section)
                let count = count(section)
                let width = stride(section)
                i = symbols.withUnsafeView { view in
                    var i = i
                    var hint = 0
                    while i < nameCount,
                          Self.scan(for: name(i), in: entries, count: count, width: width, hint: &hint, view: view) != nil
                    {
                        i += 1
                    }
                    return i
                }
                guard i < nameCount else { return }
            }
            insertIfAbsent(section, name(i), symbols: &symbols)
            i += 1
        }
    }

    // MARK: - Filling an empty section at once

    /// Most entries ``insertAllIntoEmpty(_:count:symbols:name:)`` and
    /// ``upsertAllIntoEmpty(_:_:source:symbols:)`` sort (by insertion, on the stack).
    static let bulkInsertLimit = 16

    /// Whether opening a gap of `words` words at once grows the block exactly as inserting them
    /// in steps of `step` words does (``insertWords(_:at:)`` grows to
    /// ``grownCapacity(_:needed:)``): when no growth is needed, or when the one growth the steps
    /// make (at the latest for the first step) already leaves room for all of them. Then the
    /// block's capacity, and so the memory the session holds, is the same either way.
    func growsLikeStepwiseInsertion(of words: Int, step: Int) -> Bool {
        let used = wordsEnd
        let capacity = Int(storage.fields.pointee.capacity)
        return used + words <= capacity || used + words <= Self.grownCapacity(capacity, needed: used + step)
    }

    /// Fills an empty name-only section with `name(0..<count)` in one step when the names are
    /// already in strictly increasing byte order — what ``insertIfAbsent(_:_:symbols:)`` for each
    /// of them in turn would produce, with the symbols interned in the same order, but with one
    /// gap opened instead of one search and gap per name. `false` (nothing done) otherwise.
    @inline(__always)
    mutating func insertAllIntoEmpty(
        _ section: Section, count n: Int, symbols: inout SymbolTable, name: (Int) -> UnsafeRawBufferPointer
    ) -> Bool {
        guard n > 1, stride(section) == 1, growsLikeStepwiseInsertion(of: n, step: 1) else { return false }
        for i in 1..<n where ByteComparison.compare(name(i - 1), name(i)) >= 0 { return false }
        let at = start(section)
        insertWords(n, at: at)
        for i in 0..<n { words[at + i] = symbols.intern(name(i)).rawValue }
        switch section {
        case .errors: nErrors = UInt16(truncatingIfNeeded: n)
        case .form: nForm = UInt16(truncatingIfNeeded: n)
        case .attributes: nAttributes = UInt16(truncatingIfNeeded: n)
        }
        return true
    }

    /// Fills an empty valued section with `pairs` (distinct names, at most ``bulkInsertLimit``)
    /// in one step: what ``upsert(_:name:value:source:symbols:)`` for each pair in turn would
    /// produce, with the symbols interned in the same order (name, value, pair by pair), but
    /// with the pairs sorted on the stack and one gap opened. `false` (nothing done) otherwise.
    mutating func upsertAllIntoEmpty(
        _ section: Section, _ pairs: ByteViewPairList, source: UInt16, symbols: inout SymbolTable
    ) -> Bool {
        let n = pairs.count
        let width = stride(section)
        guard n > 1, n <= Self.bulkInsertLimit, width == 3, growsLikeStepwiseInsertion(of: n * width, step: width)
        else { return false }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { order in
            // Wrapping arithmetic: pair indices (below n ≤ bulkInsertLimit) and word indices of
            // the block (below its 32-bit capacity).
            // Pair indices by name (insertion sort); equal names would need `upsert`'s merge.
            for i in 0..<n {
                let name = pairs[i].name.bytes
                var j = i
                while j > 0 {
                    let c = ByteComparison.compare(pairs[order[j &- 1]].name.bytes, name)
                    if c == 0 { return false }
                    if c < 0 { break }
                    order[j] = order[j &- 1]
                    j &-= 1
                }
                order[j] = i
            }
            let at = start(section)
            insertWords(n &* width, at: at)
            // Interned in the pairs' order, stored in the names' order: `rank[i]` is where pair i goes.
            withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { rank in
                for position in 0..<n { rank[order[position]] = position }
                for i in 0..<n {
                    let entry = at &+ rank[i] &* width
                    words[entry] = symbols.intern(pairs[i].name.bytes).rawValue
                    words[entry &+ 1] = symbols.intern(pairs[i].value.bytes).rawValue
                    words[entry &+ 2] = UInt32(source)
                }
            }
            switch section {
            case .errors: nErrors = UInt16(truncatingIfNeeded: n)
            case .form: nForm = UInt16(truncatingIfNeeded: n)
            case .attributes: nAttributes = UInt16(truncatingIfNeeded: n)
            }
            return true
        }
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

    /// ``upsert(_:name:value:source:symbols:)`` for every pair of `pairs`, in order.
    mutating func upsertAll(_ section: Section, _ pairs: ByteViewPairList, source: UInt16, symbols: inout SymbolTable) {
        guard pairs.count > 0 else { return }
        if count(section) == 0, upsertAllIntoEmpty(section, pairs, source: source, symbols: &symbols) { return }
        let rank = order(ofEvent: source)
        var i = 0
        while i < pairs.count {
            // The pairs that change no symbol (usually all of them: the key is there and the value
            // is the same, or older), settled in place.
            if count(section) <= Self.linearSearchLimit {
                let words = storage.words
                let start = start(section)
                let count = count(section)
                let width = stride(section)  // 3: key, value, source event
                i = symbols.withUnsafeView { view in
                    var i = i
                    var hint = 0
                    while i < pairs.count {
                        let pair = pairs[i]
                        guard let index = Self.scan(
                            for: pair.name.bytes, in: words + start, count: count, width: width, hint: &hint, view: view)
                        else { break }
                        // Wrapping arithmetic: word indices of the block (below its 32-bit capacity).
                        let at = start &+ index &* width
                        // Events are sorted by rank, so one entered before this event's
                        // (usually the previous event) ranks no higher: no need to load its rank.
                        let currentSource = Int(words[at &+ 2])
                        if currentSource < Int(source)
                            || rank >= UInt64(words[currentSource &* Self.eventWords])
                                | UInt64(words[currentSource &* Self.eventWords &+ 1]) << 32
                        {
                            // Same value: only the source moves (as in `upsert`); else `upsert` decides.
                            guard view.equalsLive(SymbolID(rawValue: words[at &+ 1]), pair.value.bytes) else { break }
                            words[at &+ 2] = UInt32(source)
                        }
                        i &+= 1
                    }
                    return i
                }
                guard i < pairs.count else { return }
            }
            let pair = pairs[i]
            upsert(section, name: pair.name.bytes, value: pair.value.bytes, source: source, symbols: &symbols)
            i += 1
        }
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

    /// Whether applying `event`, with metadata block `m` when `hasMetadata`, keeps every section
    /// within `limits`. (`m` is `inout` only to be passed by reference; it is not changed.)
    private func fitsLimits(
        _ event: LifecycleEvent, metadata m: inout EventMetadata, hasMetadata: Bool, symbols: SymbolTable,
        limits: InteractionLimits
    ) -> Bool {
        let cap = limits.maxDistinctValues
        func fits(_ section: Section, _ names: some Collection<ByteView>) -> Bool {
            let current = count(section)
            if current + names.count <= cap { return true }
            var added = 0
            for name in names where !search(section, name.bytes, symbols: symbols).found { added += 1 }
            return current + added <= cap
        }
        if hasMetadata {
            guard fits(.errors, m.errors) else { return false }
            if let form = m.form, !fits(.form, form.lazy.map(\.name)) { return false }
        }
        return fits(.attributes, event.attributes.lazy.map(\.name))
    }
}
