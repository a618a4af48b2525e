import CallbackStreamCore

/// The poll loop's per-summary counters in flat arrays — no hashing of label strings per
/// summary — folded into the ``MetricsSnapshot`` dictionaries when metrics are published.
struct SummaryCounters {
    private static let outcomes = Outcome.allCases
    private static let closeReasons = CloseReason.allCases
    private var summaries = [UInt64](repeating: 0, count: Self.outcomes.count * Self.closeReasons.count)
    private var stages = [UInt64](repeating: 0, count: FunnelStages.labelled.count)
    private var pending = false

    /// Counts one summarized session (published or not) and the funnel stages it reached.
    mutating func count(outcome: Outcome, closeReason: CloseReason, stages reached: FunnelStages) {
        let row = Self.outcomes.firstIndex(of: outcome) ?? 0
        let column = Self.closeReasons.firstIndex(of: closeReason) ?? 0
        summaries[row * Self.closeReasons.count + column] &+= 1
        for index in stages.indices where reached.contains(FunnelStages.labelled[index].stage) {
            stages[index] &+= 1
        }
        pending = true
    }

    /// Adds what was counted since the last fold to `metrics` and starts again from zero.
    mutating func fold(into metrics: inout MetricsSnapshot) {
        guard pending else { return }
        for (row, outcome) in Self.outcomes.enumerated() {
            for (column, closeReason) in Self.closeReasons.enumerated() {
                let index = row * Self.closeReasons.count + column
                guard summaries[index] > 0 else { continue }
                metrics.summaries[.init(outcome: outcome.rawValue, closeReason: closeReason.rawValue), default: 0] += summaries[index]
                summaries[index] = 0
            }
        }
        for (index, stage) in FunnelStages.labelled.enumerated() where stages[index] > 0 {
            metrics.stageReached[stage.label, default: 0] += stages[index]
            stages[index] = 0
        }
        pending = false
    }
}
