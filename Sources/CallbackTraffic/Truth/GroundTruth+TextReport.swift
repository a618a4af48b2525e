extension GroundTruth {
    /// A human-readable summary of the truth (no form values: they are PII-like even when fake).
    public var textReport: String {
        var lines: [String] = []
        lines.append("callback-stream traffic ground truth (seed \(seed))")
        let first = firstEventTimestampMs.map(TimeFormatting.iso8601) ?? "-"
        let last = lastEventTimestampMs.map(TimeFormatting.iso8601) ?? "-"
        lines.append("  event time      \(first) … \(last)")
        lines.append("  processor       inactivity timeout \(TimeFormatting.duration(inactivityTimeoutMs)), allowed lateness \(TimeFormatting.duration(allowedLatenessMs))")
        lines.append("  interactions    \(interactions) (\(reopenedInteractions) reopened)")
        lines.append("  sessions        \(sessions) (\(publishedSessions) published, \(sessions - publishedSessions) notOpened counted only, \(reopenedSessions) reopened)")
        lines.append("  records         \(records) (\(uniqueEvents) events + \(duplicatesInjected) duplicates)")
        lines.append("  out of order    \(outOfOrderInjected) delayed records, \(sessionOutOfOrderEvents) behind a later event of their session")
        lines.append("outcomes")
        for outcome in ExpectedOutcome.allCases {
            lines.append(row(outcome.rawValue, count(of: outcome)))
        }
        lines.append("close reasons")
        for reason in ExpectedCloseReason.allCases {
            lines.append(row(reason.rawValue, count(of: reason)))
        }
        lines.append("tenants")
        for (tenant, n) in tenants.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            lines.append(row(tenant.isEmpty ? "(none)" : tenant, n))
        }
        lines.append("error codes (sessions)")
        if errorCodes.isEmpty { lines.append("  (none)") }
        for (code, n) in errorCodes.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            lines.append(row(code, n))
        }
        lines.append("flags (sessions)")
        for flag in ["proactive", "prefilled", "autoSubmitted"] {
            lines.append(row(flag, flags[flag] ?? 0))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func row(_ label: String, _ n: Int) -> String {
        let share = sessions > 0 ? Double(n) * 100 / Double(sessions) : 0
        let percent = (share * 10).rounded() / 10
        let padded = label.count >= 30 ? label : label + String(repeating: " ", count: 30 - label.count)
        let number = String(n)
        let paddedNumber = String(repeating: " ", count: max(0, 10 - number.count)) + number
        return "  \(padded)\(paddedNumber)  \(percent) %"
    }
}
