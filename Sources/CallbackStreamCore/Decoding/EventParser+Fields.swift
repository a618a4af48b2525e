extension EventParser {
    /// Parses the whole record value: one JSON object and nothing else but whitespace.
    ///
    /// The members are read in the contract's order while the input follows it, as in
    /// ``metadataObject(from:)``.
    mutating func parseRecord() throws(DecodeFailure) {
        var pos = 0
        skipWhitespace(&pos)
        guard pos < end else { throw .syntax("empty record value", at: 0) }
        if peek(pos) != UInt8(ascii: "{") {
            let at = pos
            pos = try skipValue(from: pos, depth: 1)
            try expectEnd(&pos)
            throw DecodeFailure(code: .badType, message: "record value must be a JSON object", offset: at)
        }
        if try beginObject(&pos, depth: 1) {
            var expected = TopLevelKey.interactionId
            var membersLeft = true
            if predictsKeys {
                inOrder: do {
                    guard try topLevelMemberInOrder(.interactionId, &pos, next: &expected),
                        try topLevelMemberInOrder(.event, &pos, next: &expected),
                        try topLevelMemberInOrder(.timestamp, &pos, next: &expected),
                        try topLevelMemberInOrder(.eventId, &pos, next: &expected),
                        try topLevelMemberInOrder(.metadata, &pos, next: &expected),
                        try topLevelMemberInOrder(.attributes, &pos, next: &expected)
                    else { break inOrder }
                }
                // Some members were read in order: what follows is `,` and another one, or `}`.
                if expected != .interactionId { membersLeft = try nextMember(&pos) }
            }
            if membersLeft {
                repeat {
                    let key = try topLevelKey(&pos, expecting: expected)
                    pos = try topLevelField(key, from: pos)
                    expected = key.successor
                } while try nextMember(&pos)
            }
        }
        try expectEnd(&pos)
    }

    /// Reads top-level member `key` when the input at `pos` is its compact key (after a `,`
    /// unless `key` is the first member) and sets `next` to the member expected after it;
    /// otherwise consumes nothing and returns false (always inlined, like
    /// ``metadataMemberInOrder(_:_:next:)``).
    @inline(always)
    mutating func topLevelMemberInOrder(
        _ key: TopLevelKey, _ pos: inout Int, next: inout TopLevelKey
    ) throws(DecodeFailure) -> Bool {
        let found =
            key == .interactionId ? consumeCompactKey(key, &pos) : consumeSeparatorAndCompactKey(key, &pos)
        guard found else { return false }
        pos = try topLevelField(key, from: pos)
        next = key.successor
        return true
    }

    /// Consumes trailing whitespace; throws unless that reaches the end of the input.
    @inline(__always)
    func expectEnd(_ pos: inout Int) throws(DecodeFailure) {
        skipWhitespace(&pos)
        guard pos == end else { throw .syntax("unexpected data after the JSON value", at: pos) }
    }

    /// Reads the value of one top-level member, starting at `start`; returns the position after it.
    /// (Always inlined into ``parseRecord()``, its one caller: a call per member costs more than the
    /// member's own steps.)
    @inline(always)
    mutating func topLevelField(_ key: TopLevelKey, from start: Int) throws(DecodeFailure) -> Int {
        var pos = start
        switch key {
        case .interactionId:
            let at = pos
            guard let s = try stringValue(&pos, field: "interactionId", depth: 2) else { return pos }
            // The string is valid UTF-8, so it has at least one character when it has a byte,
            // and at most as many characters as bytes: only a long one needs counting.
            var characters = s.count
            if characters > 256 {
                characters = 0
                for byte in s.bytes where byte & 0xC0 != 0x80 { characters += 1 }
            }
            if characters < 1 || characters > 256 {
                note(.badType, "must be a string of 1 to 256 characters", field: "interactionId", at: at)
            } else {
                interactionId = s
            }
        case .event:
            let at = pos
            guard let s = try stringValue(&pos, field: "event", depth: 2) else { return pos }
            if let name = LifecycleEventName(bytes: s.bytes) {
                eventName = name
            } else {
                note(
                    .unknownEvent,
                    "is not a lifecycle event (ready, opened, started, submitted, cancelled, completed, closed, optionally prefixed 'Callback.')",
                    field: "event", at: at)
            }
        case .timestamp:
            if let t = try timestampValue(&pos, field: "timestamp", allowFalse: false, depth: 2) { timestamp = t }
        case .eventId:
            if peek(pos) == UInt8(ascii: "n") {
                try literal("null", &pos)
                eventId = nil
                return pos
            }
            let at = pos
            guard let s = try stringValue(&pos, field: "eventId", depth: 2) else { return pos }
            if s.isEmpty {
                note(.badType, "must be a non-empty string or null", field: "eventId", at: at)
            } else {
                eventId = s
            }
        case .metadata:
            switch peek(pos) {
            case UInt8(ascii: "{"):
                pos = try metadataObject(from: pos)
            case UInt8(ascii: "n"):
                try literal("null", &pos)
                metadata = EventMetadata()
                hasMetadata = false
                errorCount = 0
                formCount = 0
                hasForm = false
            default:
                note(.badType, "must be an object or null", field: "metadata", at: pos)
                pos = try skipValue(from: pos, depth: 2)
            }
        case .attributes:
            switch peek(pos) {
            case UInt8(ascii: "{"):
                pos = try attributesObject(from: pos)
            case UInt8(ascii: "n"):
                try literal("null", &pos)
                attributeCount = 0
            default:
                note(.badType, "must be an object of string values or null", field: "attributes", at: pos)
                pos = try skipValue(from: pos, depth: 2)
            }
        case .other:
            pos = try skipValue(from: pos, depth: 2)
        }
        return pos
    }

    /// Reads a string value; notes `bad_type` and skips anything else (returns nil).
    @inline(__always)
    mutating func stringValue(
        _ pos: inout Int, field: StaticString, index: Int = -1, depth: Int
    ) throws(DecodeFailure) -> ByteView? {
        if peek(pos) == UInt8(ascii: "\"") {
            pos &+= 1
            return try string(&pos, decode: true)
        }
        note(.badType, "must be a string", field: field, index: index, at: pos)
        pos = try skipValue(from: pos, depth: depth)
        return nil
    }

    /// Reads a timestamp-like value: an integer in 0 … 2^53−1, or (when allowed) `false`
    /// (returned as nil). Notes `bad_type` for anything else. (Always inlined, so that `field`
    /// and `allowFalse` are constants.)
    @inline(always)
    mutating func timestampValue(
        _ pos: inout Int, field: StaticString, allowFalse: Bool, depth: Int
    ) throws(DecodeFailure) -> Int64? {
        let at = pos
        let b = peek(pos)
        if allowFalse && b == UInt8(ascii: "f") {
            try literal("false", &pos)
            return nil
        }
        if b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) {
            if let v = plainTimestamp(&pos) { return v }
            let n = try number(from: pos)
            pos = n.end
            if n.isInteger, let v = n.value, v >= 0, v <= LifecycleEvent.maxTimestamp { return v }
            note(.badType, "must be an integer from 0 to 2^53-1", field: field, at: at)
            return nil
        }
        note(
            .badType, allowFalse ? "must be false or an integer from 0 to 2^53-1" : "must be an integer from 0 to 2^53-1",
            field: field, at: at)
        pos = try skipValue(from: pos, depth: depth)
        return nil
    }

    /// Reads `true`/`false`; notes `bad_type` for anything else.
    @inline(__always)
    mutating func boolValue(_ pos: inout Int, field: StaticString, depth: Int) throws(DecodeFailure) -> Bool {
        switch peek(pos) {
        case UInt8(ascii: "t"):
            try literal("true", &pos)
            return true
        case UInt8(ascii: "f"):
            try literal("false", &pos)
            return false
        default:
            note(.badType, "must be a boolean", field: field, at: pos)
            pos = try skipValue(from: pos, depth: depth)
            return false
        }
    }

    // MARK: - metadata

    /// The `metadata` object, starting at `start`; returns the position after it.
    ///
    /// While the input follows the contract's member order, each member's separator and key
    /// are matched in one step (``metadataMemberInOrder(_:_:next:)``), straight through without
    /// a dispatch on the key; from the first member out of that order on, members are read one
    /// by one with the key predicted as usual.
    mutating func metadataObject(from start: Int) throws(DecodeFailure) -> Int {
        var pos = start
        // `metadata` is all-false while `hasMetadata` is false (as initialised, and reset by a
        // `null` block): only a repeated block needs clearing.
        if hasMetadata { metadata = EventMetadata() }
        hasMetadata = true
        errorCount = 0
        formCount = 0
        hasForm = false
        guard try beginObject(&pos, depth: 2) else { return pos }
        var expected = MetadataKey.proactive
        if predictsKeys {
            inOrder: do {
                guard try metadataMemberInOrder(.proactive, &pos, next: &expected),
                    try metadataMemberInOrder(.prefilled, &pos, next: &expected),
                    try metadataMemberInOrder(.autoSubmitted, &pos, next: &expected),
                    try metadataMemberInOrder(.errors, &pos, next: &expected),
                    try metadataMemberInOrder(.form, &pos, next: &expected),
                    try metadataMemberInOrder(.opened, &pos, next: &expected),
                    try metadataMemberInOrder(.started, &pos, next: &expected),
                    try metadataMemberInOrder(.cancelled, &pos, next: &expected),
                    try metadataMemberInOrder(.completed, &pos, next: &expected),
                    try metadataMemberInOrder(.closed, &pos, next: &expected),
                    try metadataMemberInOrder(.elapsed, &pos, next: &expected)
                else { break inOrder }
            }
            // Some members were read in order: what follows is `,` and another one, or `}`.
            if expected != .proactive {
                guard try nextMember(&pos) else { return pos }
            }
        }
        repeat {
            let key = try metadataKey(&pos, expecting: expected)
            try metadataMember(key, &pos)
            expected = key.successor
        } while try nextMember(&pos)
        return pos
    }

    /// Reads member `key` of the `metadata` object when the input at `pos` is its compact key
    /// (after a `,` unless `key` is the first member) and sets `next` to the member expected
    /// after it; otherwise consumes nothing and returns false. (Always inlined: with `key` a
    /// constant, only its compare and its value's reader are left.)
    @inline(always)
    mutating func metadataMemberInOrder(
        _ key: MetadataKey, _ pos: inout Int, next: inout MetadataKey
    ) throws(DecodeFailure) -> Bool {
        let found =
            key == .proactive ? consumeCompactKey(key, &pos) : consumeSeparatorAndCompactKey(key, &pos)
        guard found else { return false }
        try metadataMember(key, &pos)
        next = key.successor
        return true
    }

    /// Reads the value of `metadata` member `key` at `pos`.
    @inline(always)
    mutating func metadataMember(_ key: MetadataKey, _ pos: inout Int) throws(DecodeFailure) {
        switch key {
        case .proactive:
            metadata.proactive = try boolValue(&pos, field: "metadata.proactive", depth: 3)
        case .prefilled:
            metadata.prefilled = try boolValue(&pos, field: "metadata.prefilled", depth: 3)
        case .autoSubmitted:
            metadata.autoSubmitted = try boolValue(&pos, field: "metadata.autoSubmitted", depth: 3)
        case .errors:
            pos = try errorsValue(from: pos)
        case .form:
            pos = try formValue(from: pos)
        case .opened:
            metadata.opened = try timestampValue(&pos, field: "metadata.opened", allowFalse: true, depth: 3)
        case .started:
            metadata.started = try timestampValue(&pos, field: "metadata.started", allowFalse: true, depth: 3)
        case .cancelled:
            metadata.cancelled = try timestampValue(&pos, field: "metadata.cancelled", allowFalse: true, depth: 3)
        case .completed:
            metadata.completed = try timestampValue(&pos, field: "metadata.completed", allowFalse: true, depth: 3)
        case .closed:
            metadata.closed = try timestampValue(&pos, field: "metadata.closed", allowFalse: true, depth: 3)
        case .elapsed:
            metadata.elapsed = try timestampValue(&pos, field: "metadata.elapsed", allowFalse: true, depth: 3)
        case .other:
            pos = try skipValue(from: pos, depth: 3)
        }
    }

    /// `metadata.errors`, starting at `start`: `false`, or an array of strings / objects with a
    /// `code`. Returns the position after it.
    mutating func errorsValue(from start: Int) throws(DecodeFailure) -> Int {
        var pos = start
        errorCount = 0
        switch peek(pos) {
        case UInt8(ascii: "f"):
            try literal("false", &pos)
            return pos
        case UInt8(ascii: "["):
            break
        default:
            note(.badType, "must be false or an array", field: "metadata.errors", at: pos)
            return try skipValue(from: pos, depth: 3)
        }
        guard try beginArray(&pos, depth: 3) else { return pos }
        var index = 0
        repeat {
            let at = pos
            var code: ByteView?
            switch peek(pos) {
            case UInt8(ascii: "\""):
                pos &+= 1
                code = try string(&pos, decode: true)
            case UInt8(ascii: "{"):
                (code, pos) = try errorObject(index: index, from: pos)
            default:
                note(.badType, "must be a string or an object with a code", field: "metadata.errors", index: index, at: at)
                pos = try skipValue(from: pos, depth: 4)
            }
            if let code {
                if code.isEmpty {
                    note(.badType, "must not be an empty code", field: "metadata.errors", index: index, at: at)
                } else {
                    addError(code, index: index, at: at)
                }
            }
            index += 1
        } while try nextElement(&pos)
        return pos
    }

    /// An error object starting at `start`: its `code` (string, or integer as its text), and the
    /// position after the object.
    mutating func errorObject(index: Int, from start: Int) throws(DecodeFailure) -> (code: ByteView?, end: Int) {
        var pos = start
        let at = pos
        var code: ByteView?
        if try beginObject(&pos, depth: 4) {
            repeat {
                let key = try memberKey(&pos)
                if key.count == 4 && key.elementsEqual("code") {
                    let b = peek(pos)
                    if b == UInt8(ascii: "\"") {
                        pos &+= 1
                        code = try string(&pos, decode: true)
                    } else if b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) {
                        let n = try number(from: pos)
                        pos = n.end
                        if n.isInteger {
                            code = inputView(n.start, pos)
                        } else {
                            note(.badType, "code must be a string or an integer", field: "metadata.errors", index: index, at: n.start)
                        }
                    } else {
                        note(.badType, "code must be a string or an integer", field: "metadata.errors", index: index, at: pos)
                        pos = try skipValue(from: pos, depth: 5)
                    }
                } else {
                    pos = try skipValue(from: pos, depth: 5)
                }
            } while try nextMember(&pos)
        }
        if code == nil && problem == nil {
            note(.badType, "error object must have a code", field: "metadata.errors", index: index, at: at)
        }
        return (code, pos)
    }

    /// Adds an error code unless this event already listed it.
    mutating func addError(_ code: ByteView, index: Int, at: Int) {
        for i in 0..<errorCount where ByteComparison.equal(errorStore[i].bytes, code.bytes) { return }
        guard errorCount < maxListEntries else {
            note(.tooLarge, "has more entries than the limit", field: "metadata.errors", index: index, at: at)
            return
        }
        errorStore[errorCount] = code
        errorCount += 1
    }

    /// `metadata.form`, starting at `start`: `false`, or an object of field name → any JSON value
    /// (kept as raw text). Returns the position after it.
    mutating func formValue(from start: Int) throws(DecodeFailure) -> Int {
        var pos = start
        formCount = 0
        hasForm = false
        switch peek(pos) {
        case UInt8(ascii: "f"):
            try literal("false", &pos)
            return pos
        case UInt8(ascii: "{"):
            break
        default:
            note(.badType, "must be false or an object", field: "metadata.form", at: pos)
            return try skipValue(from: pos, depth: 3)
        }
        hasForm = true
        guard try beginObject(&pos, depth: 3) else { return pos }
        repeat {
            let at = pos
            let (name, valueOpened) = try memberKeyOpeningString(&pos)
            let valueStart = valueOpened ? pos &- 1 : pos
            if valueOpened {
                _ = try string(&pos, decode: false)
            } else if peek(pos) == UInt8(ascii: "\"") {
                // What skipValue does for a string (form values mostly are), without the call.
                pos &+= 1
                _ = try string(&pos, decode: false)
            } else {
                pos = try skipValue(from: pos, depth: 4)
            }
            formCount = addPair(
                to: formStore, count: formCount, name: name, value: inputView(valueStart, pos),
                field: "metadata.form", at: at)
        } while try nextMember(&pos)
        return pos
    }

    /// `attributes`, starting at `start`: an object of string → string. Returns the position
    /// after it.
    mutating func attributesObject(from start: Int) throws(DecodeFailure) -> Int {
        var pos = start
        attributeCount = 0
        guard try beginObject(&pos, depth: 2) else { return pos }
        repeat {
            let at = pos
            let (name, valueOpened) = try memberKeyOpeningString(&pos)
            let value =
                valueOpened
                ? try string(&pos, decode: true) : try stringValue(&pos, field: "attributes", depth: 3)
            if let value {
                attributeCount = addPair(
                    to: attributeStore, count: attributeCount, name: name, value: value, field: "attributes", at: at)
            }
        } while try nextMember(&pos)
        return pos
    }

    /// Adds or replaces (a repeated name keeps its last value) a name/value pair; returns the
    /// new count.
    mutating func addPair(
        to store: UnsafeMutablePointer<ByteView>, count: Int, name: ByteView, value: ByteView,
        field: StaticString, at: Int
    ) -> Int {
        // Wrapping arithmetic: `count` < `maxListEntries`, whose pairs were allocated.
        var p = store
        let stop = store + 2 &* count
        while p < stop {
            if ByteComparison.equal(p.pointee.bytes, name.bytes) {
                p[1] = value
                return count
            }
            p += 2
        }
        guard count < maxListEntries else {
            note(.tooLarge, "has more entries than the limit", field: field, at: at)
            return count
        }
        stop[0] = name
        stop[1] = value
        return count &+ 1
    }
}
