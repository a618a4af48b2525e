/// Admits one log line per key and interval, counting the ones it held back.
struct RateLimitedLog {
    let intervalNanos: UInt64
    private var entries: [String: (lastNanos: UInt64, suppressed: Int)] = [:]

    init(intervalNanos: UInt64) {
        self.intervalNanos = intervalNanos
    }

    /// `nil` when the line for `key` must be held back now; else the number held back since the
    /// last admitted line.
    mutating func admit(_ key: String, nowNanos: UInt64) -> Int? {
        if let entry = entries[key], nowNanos &- entry.lastNanos < intervalNanos {
            entries[key]!.suppressed += 1
            return nil
        }
        let suppressed = entries[key]?.suppressed ?? 0
        entries[key] = (nowNanos, 0)
        return suppressed
    }
}
