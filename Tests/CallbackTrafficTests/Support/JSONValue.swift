import Foundation

/// A strictly typed JSON tree parsed by Foundation's `JSONSerialization` (tests only): booleans
/// never pass as numbers, integers never as doubles.
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `bytes`, or `nil` when they are not valid JSON.
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        guard let any = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            return nil
        }
        return JSONValue(any)
    }

    private init(_ any: Any) {
        switch any {
        case let text as String:
            self = .string(text)
        case let items as [Any]:
            self = .array(items.map(JSONValue.init))
        case let members as [String: Any]:
            self = .object(members.mapValues(JSONValue.init))
        case let number as NSNumber:
            switch String(cString: number.objCType) {
            case "c", "B": self = .bool(number.boolValue)
            case "d", "f": self = .double(number.doubleValue)
            default: self = .int(number.int64Value)
            }
        default:
            self = .null
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? { if case .string(let v) = self { v } else { nil } }
    var int: Int64? { if case .int(let v) = self { v } else { nil } }
    var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    var array: [JSONValue]? { if case .array(let v) = self { v } else { nil } }
    var object: [String: JSONValue]? { if case .object(let v) = self { v } else { nil } }
}
