/// What to generate: seed, size, event-time layout, the processor's timing, and the traffic mix.
///
/// The generator must know the processor's inactivity timeout and allowed lateness to keep its
/// ground truth exact: steps within a session are spaced well below the timeout, delivery is
/// delayed by less than the lateness, and reopened sessions start ≥ 2 × timeout + lateness after
/// the `closed` that ended the previous one.
public struct TrafficConfiguration: Sendable, Equatable, Codable {
    /// 2026-01-01T00:00:00Z in ms: the default start so that output does not depend on the wall clock.
    public static let defaultStartTimeMs: Int64 = 1_767_225_600_000
    /// Default event-time spacing of interaction starts when `spanMs` is not given (20 per second).
    public static let defaultInteractionSpacingMs: Int64 = 50

    /// Seed: the same seed and configuration give byte-identical records.
    public var seed: UInt64
    /// Number of interactions (each has one or more sessions).
    public var interactions: Int
    /// Event time of the first interaction's start, ms since the epoch.
    public var startTimeMs: Int64
    /// Interactions start evenly (with jitter) over `[startTimeMs, startTimeMs + spanMs)`.
    public var spanMs: Int64
    /// The processor's inactivity timeout (event time), ms.
    public var inactivityTimeoutMs: Int64
    /// The processor's allowed lateness, ms.
    public var allowedLatenessMs: Int64
    /// Smallest gap between two steps of a session, ms.
    public var minStepGapMs: Int64
    /// Largest gap between two steps of a session, ms; must be below a third of the timeout.
    public var maxStepGapMs: Int64
    /// The traffic mix.
    public var profile: TrafficProfile

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - spanMs: defaults to `interactions × 50 ms`.
    ///   - inactivityTimeoutMs: defaults to the processor's 30 min.
    ///   - allowedLatenessMs: defaults to the processor's 5 s.
    ///   - minStepGapMs: defaults to `min(1 s, maxStepGap / 4)` (at least 1 ms).
    ///   - maxStepGapMs: defaults to `min(3 min, timeout / 3)`.
    public init(
        seed: UInt64,
        interactions: Int,
        startTimeMs: Int64 = TrafficConfiguration.defaultStartTimeMs,
        spanMs: Int64? = nil,
        inactivityTimeoutMs: Int64 = 30 * 60_000,
        allowedLatenessMs: Int64 = 5_000,
        minStepGapMs: Int64? = nil,
        maxStepGapMs: Int64? = nil,
        profile: TrafficProfile = TrafficProfile()
    ) {
        self.seed = seed
        self.interactions = interactions
        self.startTimeMs = startTimeMs
        self.spanMs = spanMs ?? Int64(max(interactions, 0)) &* Self.defaultInteractionSpacingMs
        self.inactivityTimeoutMs = inactivityTimeoutMs
        self.allowedLatenessMs = allowedLatenessMs
        let maxGap = maxStepGapMs ?? max(1, min(180_000, inactivityTimeoutMs / 3))
        self.maxStepGapMs = maxGap
        self.minStepGapMs = minStepGapMs ?? max(1, min(1_000, maxGap / 4))
        self.profile = profile
    }

    /// Gap between a `closed` and the next session of the same interaction: at least this, plus up to one timeout.
    public var minReopenGapMs: Int64 { 2 * inactivityTimeoutMs + allowedLatenessMs }

    /// Checks that the truth can be exact; throws `TrafficConfigurationError`.
    public func validate() throws(TrafficConfigurationError) {
        guard interactions >= 0 else { throw .invalid("interactions must be ≥ 0") }
        guard startTimeMs >= 0, spanMs >= 0 else { throw .invalid("startTimeMs and spanMs must be ≥ 0") }
        guard inactivityTimeoutMs >= 3 else { throw .invalid("inactivityTimeoutMs must be ≥ 3 ms") }
        guard allowedLatenessMs >= 0 else { throw .invalid("allowedLatenessMs must be ≥ 0") }
        guard minStepGapMs >= 1, maxStepGapMs >= minStepGapMs else {
            throw .invalid("step gaps must satisfy 1 ≤ minStepGapMs ≤ maxStepGapMs")
        }
        guard maxStepGapMs * 3 <= inactivityTimeoutMs else {
            throw .invalid("maxStepGapMs (\(maxStepGapMs)) must be ≤ inactivityTimeoutMs / 3 so no session times out between its steps")
        }
        // Keep all arithmetic far from overflow: event times stay below year ~2500.
        let horizon: Int64 = 16_725_225_600_000
        guard startTimeMs < horizon, spanMs < horizon, inactivityTimeoutMs < horizon / 16,
              allowedLatenessMs < horizon / 16
        else { throw .invalid("times are out of range") }
        try profile.validate()
    }
}
