/// The mix of generated traffic: how often each scenario, flag and delivery defect occurs.
///
/// Outcome weights are relative (normalised by their sum). Rates are probabilities in `0...1`:
/// per session (`neverClosedRate`, `reopenRate`, flags), per event (`duplicateRate`,
/// `outOfOrderRate`, `eventIdRate`, layout rates).
public struct TrafficProfile: Sendable, Equatable, Codable {
    // MARK: Outcomes (relative weights)

    /// `ready → opened → started → submitted → completed → closed`.
    public var completedWeight: Double = 0.45
    /// `ready → opened → started → [cancelled] → closed`.
    public var abandonedFormWeight: Double = 0.14
    /// `ready → opened → [cancelled] → closed`.
    public var cancelledBeforeStartWeight: Double = 0.14
    /// `… → submitted` with error codes, then `[cancelled] → closed`.
    public var failedWeight: Double = 0.08
    /// `… → submitted → closed` with neither errors nor `completed`.
    public var submittedUnconfirmedWeight: Double = 0.05
    /// `ready` and nothing else.
    public var notOpenedWeight: Double = 0.14

    // MARK: Per session

    /// Sessions (other than `notOpened`, which never close) that send no `closed` and must time out.
    public var neverClosedRate: Double = 0.10
    /// Sessions ended by `closed` that are followed by another session of the same interaction.
    public var reopenRate: Double = 0.05
    /// Upper bound on sessions per interaction.
    public var maxSessionsPerInteraction: Int = 3
    /// Sessions offered proactively. The three flags are decided per session and carried unchanged by
    /// every event of it, so "latest value" is unambiguous whatever the delivery order.
    public var proactiveRate: Double = 0.20
    public var prefilledRate: Double = 0.30
    /// Of prefilled sessions that submit: submitted automatically.
    public var autoSubmittedRate: Double = 0.50
    /// Of failed sessions: errors written as `{"code": …}` objects rather than strings.
    public var errorObjectRate: Double = 0.50

    // MARK: Per event

    /// Events re-sent once more, byte for byte (same `eventId`), shortly after the original.
    public var duplicateRate: Double = 0.02
    /// Events (not the first of a session, not `closed`) delivered late, by less than the allowed lateness.
    public var outOfOrderRate: Double = 0.03
    /// Events carrying an `eventId`.
    public var eventIdRate: Double = 0.95
    /// Events (not the first of a session) without `attributes`.
    public var attributesOmittedRate: Double = 0.10
    /// Events named `Callback.<event>`.
    public var prefixedEventNameRate: Double = 0.10
    /// Events carrying unknown members.
    public var unknownFieldRate: Double = 0.05
    /// Events whose members are not in the canonical order.
    public var shuffledFieldOrderRate: Double = 0.30
    /// Events written with spaces after `,` and `:`.
    public var spacedRate: Double = 0.05

    // MARK: Context

    /// Tenants (`attributes.tenant`); the first is the most frequent (weights 1, 1/2, 1/3, …).
    public var tenants: [String] = ["acme", "globex", "initech", "umbrella", "hooli"]
    /// When set, interaction `i` follows `script[i % script.count]` instead of the outcome weights,
    /// `neverClosedRate` and `reopenRate` (flags and delivery defects still follow the rates).
    public var script: [ScriptedInteraction]?

    /// The default, realistic mix.
    public init() {}

    /// A profile with no delivery defects and no layout variation: every event canonical, with an
    /// `eventId` and attributes, no duplicates, nothing out of order, no flags.
    public static var clean: TrafficProfile {
        var profile = TrafficProfile()
        profile.duplicateRate = 0
        profile.outOfOrderRate = 0
        profile.eventIdRate = 1
        profile.attributesOmittedRate = 0
        profile.prefixedEventNameRate = 0
        profile.unknownFieldRate = 0
        profile.shuffledFieldOrderRate = 0
        profile.spacedRate = 0
        profile.proactiveRate = 0
        profile.prefilledRate = 0
        profile.autoSubmittedRate = 0
        return profile
    }

    /// Relative weight of `outcome`.
    public func weight(of outcome: ExpectedOutcome) -> Double {
        switch outcome {
        case .completed: completedWeight
        case .failed: failedWeight
        case .abandonedForm: abandonedFormWeight
        case .cancelledBeforeStart: cancelledBeforeStartWeight
        case .submittedUnconfirmed: submittedUnconfirmedWeight
        case .notOpened: notOpenedWeight
        }
    }

    /// Checks weights, rates, tenants and script; throws `TrafficConfigurationError`.
    public func validate() throws(TrafficConfigurationError) {
        var total = 0.0
        for outcome in ExpectedOutcome.allCases {
            let w = weight(of: outcome)
            guard w.isFinite, w >= 0 else { throw .invalid("weight of \(outcome.rawValue) must be ≥ 0, got \(w)") }
            total += w
        }
        if script == nil, !(total > 0) { throw .invalid("the outcome weights must not all be 0") }
        let rates: [(String, Double)] = [
            ("neverClosedRate", neverClosedRate), ("reopenRate", reopenRate), ("proactiveRate", proactiveRate),
            ("prefilledRate", prefilledRate), ("autoSubmittedRate", autoSubmittedRate),
            ("errorObjectRate", errorObjectRate), ("duplicateRate", duplicateRate),
            ("outOfOrderRate", outOfOrderRate), ("eventIdRate", eventIdRate),
            ("attributesOmittedRate", attributesOmittedRate), ("prefixedEventNameRate", prefixedEventNameRate),
            ("unknownFieldRate", unknownFieldRate), ("shuffledFieldOrderRate", shuffledFieldOrderRate),
            ("spacedRate", spacedRate),
        ]
        for (name, rate) in rates where !(rate >= 0 && rate <= 1) {
            throw .invalid("\(name) must be in 0...1, got \(rate)")
        }
        guard maxSessionsPerInteraction >= 1 else { throw .invalid("maxSessionsPerInteraction must be ≥ 1") }
        guard !tenants.isEmpty, tenants.allSatisfy({ !$0.isEmpty }) else {
            throw .invalid("tenants must be a non-empty list of non-empty names")
        }
        if let script {
            guard !script.isEmpty else { throw .invalid("script must not be empty") }
            for (i, interaction) in script.enumerated() {
                guard !interaction.sessions.isEmpty else { throw .invalid("script[\(i)] has no sessions") }
                for session in interaction.sessions.dropLast() where !session.closes {
                    throw .invalid("script[\(i)]: only the last session may stay unclosed (a reopen follows a `closed`)")
                }
            }
        }
    }
}
