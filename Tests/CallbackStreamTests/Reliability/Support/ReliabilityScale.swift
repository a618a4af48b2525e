import Foundation

/// How big the reliability scenarios are: `ci` (default, the whole suite in a few minutes on
/// two cores) or `full` (the sizes of issue 8), chosen with `RELIABILITY_SCALE=full`.
enum ReliabilityScale: String, Sendable {
    case ci
    case full

    /// The scale requested by the environment (`RELIABILITY_SCALE`), `ci` when unset.
    static var current: ReliabilityScale {
        ProcessInfo.processInfo.environment["RELIABILITY_SCALE"].flatMap(ReliabilityScale.init(rawValue:)) ?? .ci
    }

    /// `ci` or `full` value, whichever applies.
    func pick<T>(ci: T, full: T) -> T {
        self == .full ? full : ci
    }

    /// The seed of every random choice (fault moments, victims); `RELIABILITY_SEED` overrides it.
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["RELIABILITY_SEED"].flatMap(UInt64.init) ?? 8
    }
}
