/// The timestamp of the earliest event of each name in a session (a fixed-size value).
public struct EventTimestamps: Sendable, Equatable {
    var values: (Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0)
    var present: UInt8 = 0

    /// The earliest timestamp of an event called `name`, if any.
    public subscript(name: LifecycleEventName) -> Int64? {
        guard present & name.bit != 0 else { return nil }
        return withUnsafeBytes(of: values) { $0.load(fromByteOffset: Int(name.rawValue) * 8, as: Int64.self) }
    }

    mutating func setIfAbsent(_ name: LifecycleEventName, _ value: Int64) {
        guard present & name.bit == 0 else { return }
        present |= name.bit
        withUnsafeMutableBytes(of: &values) { $0.storeBytes(of: value, toByteOffset: Int(name.rawValue) * 8, as: Int64.self) }
    }

    public static func == (lhs: EventTimestamps, rhs: EventTimestamps) -> Bool {
        LifecycleEventName.allCases.allSatisfy { lhs[$0] == rhs[$0] }
    }
}
