/// Why decoding stopped or what semantic problem it noted (internal, allocation-free: only
/// static strings and integers, turned into a ``Rejection`` with text at the very end).
struct DecodeFailure: Error {
    var code: RejectionCode
    /// What is wrong (`"expected ':' after an object key"`, `"must be an integer"`).
    var message: StaticString
    /// Dotted field path (`"metadata.errors"`), empty for syntax errors.
    var field: StaticString = ""
    /// Index inside a list field, or -1.
    var index: Int = -1
    /// Byte offset in the record value.
    var offset: Int = 0

    static func syntax(_ message: StaticString, at offset: Int) -> DecodeFailure {
        DecodeFailure(code: .invalidJSON, message: message, offset: offset)
    }

    /// The rejection with its human-readable detail (never contains record content).
    var rejection: Rejection {
        var path = field.description
        if index >= 0 { path += "[\(index)]" }
        let detail: String
        switch code {
        case .invalidJSON:
            detail = "invalid JSON at byte \(offset): \(message)"
        case .missingField:
            detail = "missing required field '\(path)'"
        case .keyMismatch, .lateEvent, .futureTimestamp:
            detail = message.description
        case .badType, .unknownEvent, .tooLarge:
            detail = path.isEmpty ? "\(message)" : "field '\(path)' \(message) (at byte \(offset))"
        }
        return Rejection(code: code, detail: detail)
    }
}
