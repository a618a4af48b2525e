/// Parses human durations such as `30m`, `5s`, `1500ms`, `1h30m` or `250` (milliseconds) into milliseconds.
///
/// Used for every duration flag (`--inactivity-timeout`, `--allowed-lateness`, `--window`, …) so that
/// all of them accept the same forms and reject the same mistakes.
public enum DurationParser {
    /// Returns the duration in milliseconds, or `nil` when `text` is not a valid non-negative duration.
    public static func milliseconds(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let plain = Int64(trimmed) { return plain >= 0 ? plain : nil }
        var total: Int64 = 0
        var index = trimmed.startIndex
        var sawComponent = false
        while index < trimmed.endIndex {
            var digits = ""
            while index < trimmed.endIndex, trimmed[index].isASCII, trimmed[index].isNumber {
                digits.append(trimmed[index])
                index = trimmed.index(after: index)
            }
            var unit = ""
            while index < trimmed.endIndex, trimmed[index].isLetter {
                unit.append(trimmed[index])
                index = trimmed.index(after: index)
            }
            guard let value = Int64(digits), let scale = scale(of: unit) else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: scale)
            guard !overflow else { return nil }
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow2 else { return nil }
            total = sum
            sawComponent = true
        }
        return sawComponent ? total : nil
    }

    private static func scale(of unit: String) -> Int64? {
        switch unit {
        case "ms": 1
        case "s": 1_000
        case "m", "min": 60_000
        case "h": 3_600_000
        case "d": 86_400_000
        default: nil
        }
    }

    /// Renders milliseconds back in the shortest exact unit (`1800000` → `30m`).
    public static func render(_ milliseconds: Int64) -> String {
        if milliseconds != 0 {
            if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
            if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
            if milliseconds % 1_000 == 0 { return "\(milliseconds / 1_000)s" }
        }
        return "\(milliseconds)ms"
    }
}

import Foundation
