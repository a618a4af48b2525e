@testable import CallbackTraffic

/// One generated record decoded and checked against CONTRACT.md §1 (tests only).
struct ParsedEvent {
    var key: String
    var interactionId: String
    var event: TrafficEventName
    var prefixed: Bool
    var timestampMs: Int64
    var eventId: String?
    var metadata: [String: JSONValue]
    var attributes: [String: String]?
    var raw: [UInt8]

    /// Errors codes of `metadata.errors` (strings or `{"code"}` objects).
    var errorCodes: [String] {
        guard let errors = metadata["errors"]?.array else { return [] }
        return errors.compactMap { $0.string ?? $0["code"]?.string }
    }

    /// Names of `metadata.form` (sorted).
    var formFields: [String] {
        metadata["form"]?.object.map { $0.keys.sorted() } ?? []
    }

    /// Decodes a record; throws a description of the first contract violation.
    init(_ record: GeneratedRecord) throws {
        guard let json = JSONValue.parse(record.value), let top = json.object else {
            throw ContractViolation("not a JSON object: \(String(decoding: record.value, as: UTF8.self))")
        }
        guard let id = top["interactionId"]?.string, (1...256).contains(id.count) else {
            throw ContractViolation("interactionId missing or not a 1–256 char string")
        }
        guard let name = top["event"]?.string else { throw ContractViolation("event missing or not a string") }
        let bare = name.hasPrefix("Callback.") ? String(name.dropFirst("Callback.".count)) : name
        guard let event = TrafficEventName(rawValue: bare) else { throw ContractViolation("unknown event \(name)") }
        guard let ts = top["timestamp"]?.int else { throw ContractViolation("timestamp missing or not an integer") }
        if let eventId = top["eventId"], eventId.string == nil { throw ContractViolation("eventId not a string") }
        guard let metadata = top["metadata"]?.object else { throw ContractViolation("metadata missing or not an object") }
        for flag in ["proactive", "prefilled", "autoSubmitted"] where metadata[flag]?.bool == nil {
            throw ContractViolation("metadata.\(flag) not a boolean")
        }
        for field in ["opened", "started", "cancelled", "completed", "closed", "elapsed"] {
            switch metadata[field] {
            case .bool(false)?, .int?: break
            default: throw ContractViolation("metadata.\(field) is not false or an integer")
            }
        }
        switch metadata["errors"] {
        case .bool(false)?: break
        case .array(let items)? where !items.isEmpty:
            for item in items where item.string == nil && item["code"]?.string == nil {
                throw ContractViolation("metadata.errors item is neither a string nor {code}")
            }
        default: throw ContractViolation("metadata.errors is not false or a non-empty array")
        }
        switch metadata["form"] {
        case .bool(false)?: break
        case .object(let members)?:
            for (name, value) in members where value.string == nil {
                throw ContractViolation("metadata.form.\(name) is not a string")
            }
        default: throw ContractViolation("metadata.form is not false or an object")
        }
        var attributes: [String: String]?
        if let attributesValue = top["attributes"] {
            guard let members = attributesValue.object else { throw ContractViolation("attributes not an object") }
            var map: [String: String] = [:]
            for (name, value) in members {
                guard let text = value.string else { throw ContractViolation("attributes.\(name) not a string") }
                map[name] = text
            }
            attributes = map
        }
        key = String(decoding: record.key, as: UTF8.self)
        interactionId = id
        self.event = event
        prefixed = bare != name
        timestampMs = ts
        eventId = top["eventId"]?.string
        self.metadata = metadata
        self.attributes = attributes
        raw = record.value
    }
}

/// A contract violation found while decoding a generated record.
struct ContractViolation: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
