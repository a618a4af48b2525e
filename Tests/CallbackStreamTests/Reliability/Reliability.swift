import Testing

/// The reliability suite (issue 8): scenarios that attack the real `callback-stream` binary and
/// the real embedded broker (separate processes) with crashes, rebalances, broker faults, bad
/// input and key floods, and check the output exactly against the generator's ground truth.
///
/// The scenarios run one after another (`.serialized` applies to every nested suite): each one
/// loads both cores. Sizes come from ``ReliabilityScale`` (`RELIABILITY_SCALE=full` for the
/// issue's sizes, CI-sized otherwise); every scenario writes its row of `RELIABILITY.md` to
/// `test-output/reliability/` (``ReliabilityRow``), rendered by `scripts/reliability-report`.
@Suite(.serialized) struct Reliability {}
