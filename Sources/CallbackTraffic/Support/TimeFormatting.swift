/// Formats epoch milliseconds as ISO-8601 UTC (`2026-01-01T00:00:00.000Z`) without Foundation formatters.
enum TimeFormatting {
    /// `yyyy-MM-ddTHH:mm:ss.SSSZ` for `ms` since the epoch (proleptic Gregorian, UTC).
    static func iso8601(_ ms: Int64) -> String {
        let days = floorDiv(ms, 86_400_000)
        let msOfDay = ms - days * 86_400_000
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        var year = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { year += 1 }
        let h = msOfDay / 3_600_000, m = msOfDay / 60_000 % 60, s = msOfDay / 1_000 % 60, f = msOfDay % 1_000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(f, 3))Z"
    }

    /// A duration in ms as a short human string (`250 ms`, `3 s`, `1.5 min`, `2 h`).
    static func duration(_ ms: Int64) -> String {
        if ms < 1_000 { return "\(ms) ms" }
        if ms < 60_000 { return trimmed(Double(ms) / 1_000) + " s" }
        if ms < 3_600_000 { return trimmed(Double(ms) / 60_000) + " min" }
        return trimmed(Double(ms) / 3_600_000) + " h"
    }

    private static func trimmed(_ v: Double) -> String {
        let tenths = (v * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int64(tenths / 10))" : "\(tenths / 10)"
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
