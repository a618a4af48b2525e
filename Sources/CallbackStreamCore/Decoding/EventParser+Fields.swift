extension EventParser {
    /// Parses the whole record value: one JSON object and nothing else but whitespace.
    mutating func parseRecord() throws(DecodeFailure) {
        skipWhitespace()
        guard pos < end else { throw .syntax("empty record value", at: 0) }
        if peek() != UInt8(ascii: "{") {
            let at = pos
            try skipValue(depth: 1)
            try expectEnd()
            throw DecodeFailure(code: .badType, message: "record value must be a JSON object", offset: at)
        }
        if try beginObject(depth: 1) {
            var expected = TopLevelKey.interactionId
            repeat {
                let key = try topLevelKey(expecting: expected)
                try topLevelField(key)
                expected = key.successor
            } while try nextMember()
        }
        try expectEnd()
    }

    /// Consumes trailing whitespace; throws unless that reaches the end of the input.
    @inline(__always)
    mutating func expectEnd() throws(DecodeFailure) {
        skipWhitespace()
        guard pos == end else { throw .syntax("unexpected data after the JSON value", at: pos) }
    }

    /// Reads the value of one top-level member.
    mutating func topLevelField(_ key: TopLevelKey) throws(DecodeFailure) {
        switch key {
        case .interactionId:
            let at = pos
            guard let s = try stringValue(field: "interactionId", depth: 2) else { return }
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
            guard let s = try stringValue(field: "event", depth: 2) else { return }
            if let name = LifecycleEventName(bytes: s.bytes) {
                eventName = name
            } else {
                note(
                    .unknownEvent,
                    "is not a lifecycle event (ready, opened, started, submitted, cancelled, completed, closed, optionally prefixed 'Callback.')",
                    field: "event", at: at)
            }
        case .timestamp:
            if let t = try timestampValue(field: "timestamp", allowFalse: false, depth: 2) { timestamp = t }
        case .eventId:
            if peek() == UInt8(ascii: "n") {
                try literal("null")
                eventId = nil
                return
            }
            let at = pos
            guard let s = try stringValue(field: "eventId", depth: 2) else { return }
            if s.isEmpty {
                note(.badType, "must be a non-empty string or null", field: "eventId", at: at)
            } else {
                eventId = s
            }
        case .metadata:
            switch peek() {
            case UInt8(ascii: "{"):
                try metadataObject()
            case UInt8(ascii: "n"):
                try literal("null")
                metadata = EventMetadata()
                hasMetadata = false
                errorCount = 0
                formCount = 0
                hasForm = false
            default:
                note(.badType, "must be an object or null", field: "metadata", at: pos)
                try skipValue(depth: 2)
            }
        case .attributes:
            switch peek() {
            case UInt8(ascii: "{"):
                try attributesObject()
            case UInt8(ascii: "n"):
                try literal("null")
                attributeCount = 0
            default:
                note(.badType, "must be an object of string values or null", field: "attributes", at: pos)
                try skipValue(depth: 2)
            }
        case .other:
            try skipValue(depth: 2)
        }
    }

    /// Reads a string value; notes `bad_type` and skips anything else (returns nil).
    @inline(__always)
    mutating func stringValue(field: StaticString, index: Int = -1, depth: Int) throws(DecodeFailure) -> ByteView? {
        if peek() == UInt8(ascii: "\"") {
            pos &+= 1
            return try string(decode: true)
        }
        note(.badType, "must be a string", field: field, index: index, at: pos)
        try skipValue(depth: depth)
        return nil
    }

    /// Reads a timestamp-like value: an integer in 0 … 2^53−1, or (when allowed) `false`
    /// (returned as nil). Notes `bad_type` for anything else. (Always inlined, so that `field`
    /// and `allowFalse` are constants.)
    @inline(always)
    mutating func timestampValue(field: StaticString, allowFalse: Bool, depth: Int) throws(DecodeFailure) -> Int64? {
        let at = pos
        let b = peek()
        if allowFalse && b == UInt8(ascii: "f") {
            try literal("false")
            return nil
        }
        if b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) {
            if let v = plainTimestamp() { return v }
            let n = try number()
            if n.isInteger, let v = n.value, v >= 0, v <= LifecycleEvent.maxTimestamp { return v }
            note(.badType, "must be an integer from 0 to 2^53-1", field: field, at: at)
            return nil
        }
        note(
            .badType, allowFalse ? "must be false or an integer from 0 to 2^53-1" : "must be an integer from 0 to 2^53-1",
            field: field, at: at)
        try skipValue(depth: depth)
        return nil
    }

    /// Reads `true`/`false`; notes `bad_type` for anything else.
    @inline(__always)
    mutating func boolValue(field: StaticString, depth: Int) throws(DecodeFailure) -> Bool {
        switch peek() {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        default:
            note(.badType, "must be a boolean", field: field, at: pos)
            try skipValue(depth: depth)
            return false
        }
    }

    // MARK: - metadata

    mutating func metadataObject() throws(DecodeFailure) {
        // `metadata` is all-false while `hasMetadata` is false (as initialised, and reset by a
        // `null` block): only a repeated block needs clearing.
        if hasMetadata { metadata = EventMetadata() }
        hasMetadata = true
        errorCount = 0
        formCount = 0
        hasForm = false
        if try beginObject(depth: 2) {
            var expected = MetadataKey.proactive
            repeat {
                let key = try metadataKey(expecting: expected)
                switch key {
                case .proactive:
                    metadata.proactive = try boolValue(field: "metadata.proactive", depth: 3)
                case .prefilled:
                    metadata.prefilled = try boolValue(field: "metadata.prefilled", depth: 3)
                case .autoSubmitted:
                    metadata.autoSubmitted = try boolValue(field: "metadata.autoSubmitted", depth: 3)
                case .errors:
                    try errorsValue()
                case .form:
                    try formValue()
                case .opened:
                    metadata.opened = try timestampValue(field: "metadata.opened", allowFalse: true, depth: 3)
                case .started:
                    metadata.started = try timestampValue(field: "metadata.started", allowFalse: true, depth: 3)
                case .cancelled:
                    metadata.cancelled = try timestampValue(field: "metadata.cancelled", allowFalse: true, depth: 3)
                case .completed:
                    metadata.completed = try timestampValue(field: "metadata.completed", allowFalse: true, depth: 3)
                case .closed:
                    metadata.closed = try timestampValue(field: "metadata.closed", allowFalse: true, depth: 3)
                case .elapsed:
                    metadata.elapsed = try timestampValue(field: "metadata.elapsed", allowFalse: true, depth: 3)
                case .other:
                    try skipValue(depth: 3)
                }
                expected = key.successor
            } while try nextMember()
        }
    }

    /// `metadata.errors`: `false`, or an array of strings / objects with a `code`.
    mutating func errorsValue() throws(DecodeFailure) {
        errorCount = 0
        switch peek() {
        case UInt8(ascii: "f"):
            try literal("false")
            return
        case UInt8(ascii: "["):
            break
        default:
            note(.badType, "must be false or an array", field: "metadata.errors", at: pos)
            try skipValue(depth: 3)
            return
        }
        guard try beginArray(depth: 3) else { return }
        var index = 0
        repeat {
            let at = pos
            var code: ByteView?
            switch peek() {
            case UInt8(ascii: "\""):
                pos &+= 1
                code = try string(decode: true)
            case UInt8(ascii: "{"):
                code = try errorObject(index: index)
            default:
                note(.badType, "must be a string or an object with a code", field: "metadata.errors", index: index, at: at)
                try skipValue(depth: 4)
            }
            if let code {
                if code.isEmpty {
                    note(.badType, "must not be an empty code", field: "metadata.errors", index: index, at: at)
                } else {
                    addError(code, index: index, at: at)
                }
            }
            index += 1
        } while try nextElement()
    }

    /// An error object: its `code` (string, or integer as its text).
    mutating func errorObject(index: Int) throws(DecodeFailure) -> ByteView? {
        let at = pos
        var code: ByteView?
        if try beginObject(depth: 4) {
            repeat {
                let key = try memberKey()
                if key.count == 4 && key.elementsEqual("code") {
                    let b = peek()
                    if b == UInt8(ascii: "\"") {
                        pos &+= 1
                        code = try string(decode: true)
                    } else if b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) {
                        let n = try number()
                        if n.isInteger {
                            code = inputView(n.start, pos)
                        } else {
                            note(.badType, "code must be a string or an integer", field: "metadata.errors", index: index, at: n.start)
                        }
                    } else {
                        note(.badType, "code must be a string or an integer", field: "metadata.errors", index: index, at: pos)
                        try skipValue(depth: 5)
                    }
                } else {
                    try skipValue(depth: 5)
                }
            } while try nextMember()
        }
        if code == nil && problem == nil {
            note(.badType, "error object must have a code", field: "metadata.errors", index: index, at: at)
        }
        return code
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

    /// `metadata.form`: `false`, or an object of field name → any JSON value (kept as raw text).
    mutating func formValue() throws(DecodeFailure) {
        formCount = 0
        hasForm = false
        switch peek() {
        case UInt8(ascii: "f"):
            try literal("false")
            return
        case UInt8(ascii: "{"):
            break
        default:
            note(.badType, "must be false or an object", field: "metadata.form", at: pos)
            try skipValue(depth: 3)
            return
        }
        hasForm = true
        guard try beginObject(depth: 3) else { return }
        repeat {
            let at = pos
            let name = try memberKey()
            let valueStart = pos
            if peek() == UInt8(ascii: "\"") {
                // What skipValue does for a string (form values mostly are), without the call.
                pos &+= 1
                _ = try string(decode: false)
            } else {
                try skipValue(depth: 4)
            }
            formCount = addPair(
                to: formStore, count: formCount, name: name, value: inputView(valueStart, pos),
                field: "metadata.form", at: at)
        } while try nextMember()
    }

    /// `attributes`: an object of string → string.
    mutating func attributesObject() throws(DecodeFailure) {
        attributeCount = 0
        guard try beginObject(depth: 2) else { return }
        repeat {
            let at = pos
            let name = try memberKey()
            if let value = try stringValue(field: "attributes", depth: 3) {
                attributeCount = addPair(
                    to: attributeStore, count: attributeCount, name: name, value: value, field: "attributes", at: at)
            }
        } while try nextMember()
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
